"""Rules of the Trio2o admin API (pods, bindings, routings)."""

from oslo_policy import policy

from trio2o_core.policies import base

PREFIX = 'trio2o:admin'


def _rule(resource: str, action: str, method: str,
          path: str) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=f'{PREFIX}:{resource}:{action}', check_str=base.ADMIN,
        description=f'{action.capitalize()} {resource}.',
        operations=[{'method': method, 'path': path}])


def list_rules() -> list[policy.RuleDefault]:
    return [
        _rule('pods', 'create', 'POST', '/admin/v1/pods'),
        _rule('pods', 'list', 'GET', '/admin/v1/pods'),
        _rule('pods', 'show', 'GET', '/admin/v1/pods/{pod_id}'),
        _rule('pods', 'update', 'PUT', '/admin/v1/pods/{pod_id}'),
        _rule('pods', 'delete', 'DELETE', '/admin/v1/pods/{pod_id}'),
        _rule('bindings', 'create', 'POST', '/admin/v1/bindings'),
        _rule('bindings', 'list', 'GET', '/admin/v1/bindings'),
        _rule('bindings', 'show', 'GET', '/admin/v1/bindings/{id}'),
        _rule('bindings', 'delete', 'DELETE', '/admin/v1/bindings/{id}'),
        _rule('routings', 'list', 'GET', '/admin/v1/routings'),
        _rule('routings', 'show', 'GET', '/admin/v1/routings/{id}'),
    ]

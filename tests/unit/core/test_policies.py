"""Policy defaults: the admin API is admin-only."""

import os

import pytest
from oslo_config import cfg
from oslo_policy import opts

from trio2o_core import policies
from trio2o_core.context import RequestContext
from trio2o_core.plugin import Forbidden


def use_policy_file(path) -> None:
    """Make the process enforcer read ``path`` (absent: defaults only)."""
    conf = cfg.ConfigOpts()
    [(group, options)] = opts.list_opts()
    conf.register_opts(options, group=group)
    conf.set_override('policy_file', str(path), group=group)
    conf([], default_config_files=[])
    policies.reset()
    policies.get_enforcer(conf)


@pytest.fixture
def enforcer(tmp_path):
    use_policy_file(tmp_path / 'absent.yaml')
    yield
    policies.reset()


def context(*roles: str) -> RequestContext:
    return RequestContext(user_id='u', project_id='p', roles=list(roles))


ADMIN_RULES = [rule.name for rule in policies.list_rules()
               if rule.name.startswith('trio2o:admin:')]


def test_every_admin_route_has_a_documented_rule():
    assert sorted(ADMIN_RULES) == sorted(
        f'trio2o:admin:{resource}:{action}'
        for resource, actions in (
            ('pods', ('create', 'list', 'show', 'update', 'delete')),
            ('bindings', ('create', 'list', 'show', 'delete')),
            ('routings', ('list', 'show')))
        for action in actions)


@pytest.mark.parametrize('rule', ADMIN_RULES)
def test_admin_rules_allow_admins_only(enforcer, rule):
    policies.authorize(context('admin'), rule)

    for roles in ((), ('member', 'reader'), ('manager',)):
        with pytest.raises(Forbidden) as info:
            policies.authorize(context(*roles), rule)
        assert info.value.user_message == (
            f"Policy doesn't allow {rule} to be performed.")


def test_unregistered_rule_is_denied(enforcer):
    with pytest.raises(Forbidden):
        policies.authorize(context('admin'), 'trio2o:no:such:rule')


def test_operator_policy_file_overrides_defaults(tmp_path, enforcer):
    path = tmp_path / 'policy.yaml'
    path.write_text('"trio2o:admin:pods:list": "role:reader"\n')
    use_policy_file(path)

    policies.authorize(context('reader'), 'trio2o:admin:pods:list')
    with pytest.raises(Forbidden):
        policies.authorize(context('reader'), 'trio2o:admin:pods:show')


def test_rules_of_plugin_namespaces_are_enforced(enforcer):
    rule = 'os_compute_api:servers:index:get_all_tenants'
    assert rule not in {r.name for r in policies.list_rules()}

    policies.authorize(context('admin'), rule)
    with pytest.raises(Forbidden):
        policies.authorize(context('member'), rule)
    policies.authorize(context('member'),
                       'os_compute_api:os-availability-zone:list')


def test_is_admin_follows_a_changed_policy_file(tmp_path, monkeypatch):
    path = tmp_path / 'policy.yaml'
    path.write_text('"context_is_admin": "role:admin"\n')
    use_policy_file(path)
    monkeypatch.setattr(policies, 'RELOAD_CHECK_INTERVAL', 0.0)
    try:
        assert policies.is_admin(context('admin'))
        assert not policies.is_admin(context('ops'))
        assert policies.is_admin(context('admin'))  # remembered: the same
        path.write_text('"context_is_admin": "role:ops"\n')
        later = path.stat().st_mtime + 10
        os.utime(path, (later, later))
        assert not policies.is_admin(context('admin'))
        assert policies.is_admin(context('ops'))
    finally:
        policies.reset()


def test_is_admin_tells_credentials_apart(enforcer):
    for _ in range(2):
        assert policies.is_admin(context('admin'))
        assert not policies.is_admin(context('member'))
        assert not policies.is_admin(RequestContext(
            user_id='u', project_id='p', roles=['member', 'reader']))

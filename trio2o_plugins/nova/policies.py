"""Rules of the compute driver's own checks (the ``trio2o.nova``
namespace of ``oslo.policy.policies``).

The pods enforce Nova's policies on every forwarded call; these rules
guard what the gateway decides alone. They carry Nova's names and
defaults, so a denial reads as Nova's and Nova's policy files apply.
"""

from oslo_policy import policy

ANY = '@'
#: the core's rule naming cloud administrators
ADMIN = 'rule:context_is_admin'


def _rule(name: str, check_str: str, description: str, method: str,
          path: str) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=f'os_compute_api:{name}', check_str=check_str,
        description=description,
        operations=[{'method': method, 'path': f'/compute/v2.1{path}'}])


def list_rules() -> list[policy.RuleDefault]:
    return [
        _rule('servers:index:get_all_tenants', ADMIN,
              'List the servers of every project (all_tenants): the '
              'gateway then asks every pod and shows every server.',
              'GET', '/servers'),
        _rule('servers:detail:get_all_tenants', ADMIN,
              'List the details of the servers of every project '
              '(all_tenants).', 'GET', '/servers/detail'),
        _rule('os-availability-zone:list', ANY,
              'List the availability zones the pods serve.',
              'GET', '/os-availability-zone'),
        _rule('os-availability-zone:detail', ADMIN,
              'List the availability zones with the hosts of every pod.',
              'GET', '/os-availability-zone/detail'),
    ]

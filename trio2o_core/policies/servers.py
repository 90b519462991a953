"""Rules of the compute gateway's own checks.

The pods enforce Nova's policies on every forwarded call; these rules
guard what the gateway decides alone.
"""

from oslo_policy import policy

from trio2o_core.policies import base


def list_rules() -> list[policy.RuleDefault]:
    return [
        policy.DocumentedRuleDefault(
            name='trio2o:servers:list:all_tenants', check_str=base.ADMIN,
            description='List servers of every project (all_tenants).',
            operations=[{'method': 'GET', 'path': '/compute/v2.1/servers'}]),
    ]

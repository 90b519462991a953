"""Rules other rules refer to."""

from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
ADMIN_OR_OWNER = f'{ADMIN} or project_id:%(project_id)s'


def list_rules() -> list[policy.RuleDefault]:
    return [
        policy.RuleDefault('context_is_admin', 'role:admin',
                           'Who counts as a cloud administrator.'),
        policy.RuleDefault('admin_or_owner', ADMIN_OR_OWNER,
                           'An administrator or the resource\'s project.'),
    ]

"""The policy rules the example actions enforce, registered with the
gateway's through the ``oslo.policy.policies`` entry point
``trio2o.example``."""

from __future__ import annotations

from oslo_policy import policy


def list_rules() -> list[policy.RuleDefault]:
    """The rules, with their defaults (an operator may override them)."""
    return [
        policy.RuleDefault('example:where_is', 'rule:admin_or_owner',
                           'Ask which pod holds a server.'),
        policy.RuleDefault('example:volume_where_is', 'rule:admin_or_owner',
                           'Ask which pod holds a volume.'),
    ]

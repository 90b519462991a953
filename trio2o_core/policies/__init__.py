"""Policy defaults in code, and the enforcer.

The core's rules are the ``trio2o`` namespace of ``oslo.policy.policies``;
a plugin package declares its own rules as a ``trio2o.<name>`` namespace
there, and the enforcer registers them all.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from oslo_config import cfg
from oslo_policy import policy

from trio2o_core.policies import admin
from trio2o_core.policies import base

#: seconds between two checks of the policy files for changes
RELOAD_CHECK_INTERVAL = 1.0


#: how many credential sets :meth:`Enforcer.is_admin` remembers
ADMIN_CACHE_SIZE = 1024


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, looking for changed policy files at most
    every :data:`RELOAD_CHECK_INTERVAL` seconds instead of at every
    check (a file search and ``stat`` calls per rule checked)."""

    _next_check = 0.0
    #: the rules :attr:`_admins` was found with, and the answers of
    #: ``context_is_admin`` per set of credentials
    _admins: tuple[Any, dict[tuple, bool]] = (None, {})

    def load_rules(self, force_reload: bool = False) -> None:
        now = time.monotonic()
        if force_reload or not self.rules or now >= self._next_check:
            super().load_rules(force_reload)
            self._next_check = now + RELOAD_CHECK_INTERVAL

    def is_admin(self, creds: Mapping[str, Any]) -> bool:
        """Whether ``context_is_admin`` holds for ``creds`` (the rule
        checked against the credentials themselves), remembered for
        the same credentials until the rules change: every request asks
        it once."""
        self.load_rules()
        rules, known = self._admins
        if rules is not self.rules:
            rules, known = self._admins = (self.rules, {})
        key = tuple(sorted(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in creds.items()))
        found = known.get(key)
        if found is None:
            found = bool(self.enforce('context_is_admin', dict(creds),
                                      dict(creds)))
            if len(known) >= ADMIN_CACHE_SIZE:
                known.clear()
            known[key] = found
        return found


_ENFORCER: Enforcer | None = None


def list_rules() -> list[policy.RuleDefault]:
    """Return the core's default rules (for oslo-policy generators)."""
    return list(itertools.chain(base.list_rules(), admin.list_rules()))


def plugin_rules() -> list[policy.RuleDefault]:
    """Return the rules of every installed ``trio2o.<name>`` namespace."""
    return [rule for entry in metadata.entry_points(
                group='oslo.policy.policies')
            if entry.name.startswith('trio2o.')
            for rule in entry.load()()]


def get_enforcer(conf: cfg.ConfigOpts | None = None) -> Enforcer:
    """Return the process's enforcer with the defaults registered."""
    global _ENFORCER
    if _ENFORCER is None:
        from trio2o_core.conf import CONF

        enforcer = Enforcer(conf or CONF)
        enforcer.register_defaults([*list_rules(), *plugin_rules()])
        _ENFORCER = enforcer
    return _ENFORCER


def reset() -> None:
    """Forget the enforcer (tests, configuration reload)."""
    global _ENFORCER
    _ENFORCER = None


def is_admin(context: Any) -> bool:
    """Whether the policy rule ``context_is_admin`` holds for the
    context's credentials (the operator's policy file decides, not a role
    name)."""
    return get_enforcer().is_admin(context.to_policy_values())


def authorize(context: Any, rule: str,
              target: Mapping[str, Any] | None = None) -> None:
    """Check ``rule`` for ``context``.

    :raises Forbidden: ``Policy doesn't allow <rule> to be performed.``
    """
    from trio2o_core.plugin import exceptions

    creds = context.to_policy_values()
    target = dict(target or {'project_id': context.project_id,
                             'user_id': context.user_id})
    try:
        allowed = get_enforcer().enforce(rule, target, creds)
    except policy.PolicyNotRegistered:
        allowed = False
    if not allowed:
        raise exceptions.Forbidden(
            f"Policy doesn't allow {rule} to be performed.")

"""``forceDelete`` and ``restore``: the deferred-delete actions, which
keep the server's routing in step with its pod.

After the pod accepts ``forceDelete`` the routing is marked ``deleting``,
as ``DELETE /servers/{id}`` leaves it: a later call on the server that
finds it gone from its pod (the rule every server call follows), or the
reconciler, removes it (or keeps it ``deleted``, see
:func:`forward.retention`). ``restore`` turns a ``deleting`` row back to
``active``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.actions.base import PodAction


class ForceDelete(PodAction):
    """``forceDelete``: delete a soft-deleted server now."""

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = self.post(ctx, body)
        if answer.status < 300:
            ctx.gateway.set_status(ctx.routing.top_id, forward.RESOURCE,
                                   'deleting')
        return answer


class Restore(PodAction):
    """``restore``: bring a soft-deleted server back."""

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = self.post(ctx, body)
        if answer.status < 300 and ctx.routing.status == 'deleting':
            ctx.gateway.set_status(ctx.routing.top_id, forward.RESOURCE,
                                   'active')
        return answer

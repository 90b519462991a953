"""``forceDelete`` and ``restore``: the deferred-delete actions, which
keep the server's routing in step with its pod.

After the pod accepts ``forceDelete`` the routing is marked ``deleting``
and the pod is asked, for at most :attr:`ForceDelete.wait` seconds,
whether the server is gone; once it is, the routing row is removed (or
kept ``deleted``, see :func:`forward.retention`). A
server still present then keeps its ``deleting`` row until a later call
on it finds it gone from its pod (the rule every server call follows).
``restore`` turns a ``deleting`` row back to ``active``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import PodUnavailable
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.actions.base import PodAction


class ForceDelete(PodAction):
    """``forceDelete``: delete a soft-deleted server now."""

    #: seconds the pod is polled for the server's disappearance
    wait: ClassVar[float] = 2.0
    #: seconds between two polls
    interval: ClassVar[float] = 0.1

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = self.post(ctx, body)
        if answer.status < 300:
            ctx.gateway.set_status(ctx.routing.top_id, forward.RESOURCE,
                                   'deleting')
            self._forget_when_gone(ctx)
        return answer

    def _forget_when_gone(self, ctx: ActionContext) -> None:
        """Remove the routing once the pod says the server is gone
        (:func:`forward.forget_if_gone_server`), asking for at most
        :attr:`wait` seconds."""
        deadline = time.monotonic() + self.wait
        path = f'/servers/{ctx.routing.bottom_id}'
        while True:
            try:
                response = ctx.call('GET', path)
            except PodUnavailable:
                return
            if (forward.forget_if_gone_server(ctx.gateway, ctx.routing,
                                              response)
                    or time.monotonic() + self.interval > deadline):
                return
            time.sleep(self.interval)


class Restore(PodAction):
    """``restore``: bring a soft-deleted server back."""

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = self.post(ctx, body)
        if answer.status < 300 and ctx.routing.status == 'deleting':
            ctx.gateway.set_status(ctx.routing.top_id, forward.RESOURCE,
                                   'active')
        return answer

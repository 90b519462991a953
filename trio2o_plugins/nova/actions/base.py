"""What the built-in server actions share: the handler that forwards to
the pod."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import PodAnswer
from trio2o_core.plugin import ServerActionHandler


class PodAction(ServerActionHandler):
    """Post the body unchanged to the owning pod's
    ``/servers/{bottom_id}/action`` and answer what the pod answers.

    Nova's own checks (policy, lock, state) happen in the pod, so its
    messages reach the client unchanged. Subclasses add what the gateway
    must check or translate.
    """

    #: the 404 message for a server the caller has no routing for
    not_found: ClassVar[str] = 'Instance {id} could not be found.'

    def before_lookup(self, server_id: str,
                      body: Mapping[str, Any]) -> None:
        """Checks Nova makes before it looks the server up (the body is
        already validated); none by default.

        :raises PluginError: the request fails before any lookup.
        """

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        return self.post(ctx, body)

    @staticmethod
    def post(ctx: ActionContext, body: Mapping[str, Any]) -> PodAnswer:
        """Post ``body`` to the server's action URL in its pod."""
        return PodAnswer.of(ctx.call(
            'POST', f'/servers/{ctx.routing.bottom_id}/action', json=body))

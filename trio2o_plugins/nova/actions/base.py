"""What the built-in server actions share: the context they run in, the
pod's answer as a result, and the handler that forwards to the pod."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import ServerActionHandler
from trio2o_plugins.nova import forward


@dataclasses.dataclass(frozen=True)
class NovaActionContext(ActionContext):
    """An :class:`ActionContext` that also carries the compute request,
    so handlers can call the pod through :mod:`forward`."""

    request: webob.Request


@dataclasses.dataclass(frozen=True)
class PodAnswer(ActionResult):
    """The pod's own answer (a ``requests.Response``), relayed to the
    client by :func:`forward.to_response`; ``headers`` replace the pod's
    headers of the same name."""

    response: Any = dataclasses.field(kw_only=True)

    @classmethod
    def of(cls, response: Any,
           headers: Mapping[str, str] | None = None) -> PodAnswer:
        """Return the answer holding ``response``."""
        return cls(status=response.status_code, headers=dict(headers or {}),
                   response=response)


def request_of(ctx: ActionContext) -> webob.Request:
    """Return the compute request ``ctx`` serves.

    :raises TypeError: ``ctx`` was not built by the compute dispatcher.
    """
    if not isinstance(ctx, NovaActionContext):
        raise TypeError(f'{type(ctx).__name__} carries no compute request')
    return ctx.request


def pod_call(ctx: ActionContext, method: str, path: str,
             json: Any = None, microversion: str | None = None) -> Any:
    """Send one compute call to the pod owning ``ctx``'s server; return
    the pod's response whatever its status.

    :raises PodUnavailable: the pod cannot be reached.
    """
    return forward.call(ctx.gateway, request_of(ctx), ctx.routing.pod,
                        method, path, json=json, microversion=microversion)


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
        return PodAnswer.of(pod_call(
            ctx, 'POST', f'/servers/{ctx.routing.bottom_id}/action',
            json=body))

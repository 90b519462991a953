"""Action handlers: one per action body key of a resource."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

import webob
from oslo_context import context as o_context

from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.types import Routing
from trio2o_core.plugin.version import PLUGIN_API_VERSION


@dataclasses.dataclass(frozen=True)
class ActionContext:
    """Everything an action handler needs about one request.

    ``pods`` calls pods as the caller (see :class:`PodCaller`);
    ``microversion`` is the negotiated version ("2.1" ...); ``request``
    the client's request (its query, the gateway's URL).
    """

    context: o_context.RequestContext
    gateway: Gateway
    routing: Routing
    pods: PodCaller
    microversion: str
    request: webob.Request

    def call(self, method: str, path: str, json: Any = None,
             microversion: str | None = None) -> PodReply:
        """Send one call to the pod owning the resource; return its
        answer whatever its status.

        :raises PodUnavailable: the pod cannot be reached.
        """
        return self.pods.call(self.routing, method, path, json=json,
                              microversion=microversion)


@dataclasses.dataclass(frozen=True)
class ActionResult:
    """What an action answers: status, JSON body (or None), headers."""

    status: int = 202
    body: Any = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PodAnswer(ActionResult):
    """The pod's own answer, relayed to the client by
    :meth:`PodCaller.relay`; ``headers`` replace the pod's headers of the
    same name."""

    response: PodReply = dataclasses.field(kw_only=True)

    @classmethod
    def of(cls, response: PodReply,
           headers: Mapping[str, str] | None = None) -> PodAnswer:
        """Return the answer holding ``response``."""
        return cls(status=response.status_code, headers=dict(headers or {}),
                   response=response)


class _ActionHandler(abc.ABC):
    plugin_api: ClassVar[int] = PLUGIN_API_VERSION
    #: lowest and highest microversion the action exists in ("X.Y")
    min_version: ClassVar[str | None] = None
    max_version: ClassVar[str | None] = None
    #: ``(min_version, max_version, schema)`` triples; the first whose
    #: range holds the request's microversion validates the body, whose
    #: top-level value is the action's own value. None bounds are open.
    schemas: ClassVar[tuple[tuple[str | None, str | None,
                                  Mapping[str, Any]], ...]] = ()
    #: policy rule checked before the pod is called
    policy_rule: ClassVar[str | None] = None

    @abc.abstractmethod
    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        """Perform the action on ``ctx.routing``'s resource.

        ``body`` is the whole request body, already validated. Raises a
        plugin exception for errors of its own.
        """


class ServerActionHandler(_ActionHandler):
    """Handler of ``POST /servers/{id}/action`` for one body key."""


class VolumeActionHandler(_ActionHandler):
    """Handler of ``POST /volumes/{id}/action`` for one body key."""

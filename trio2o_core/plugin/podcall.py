"""Calls to pods: the one way a plugin reaches a pod.

A :class:`PodCaller` is made for one request (``ServiceDriver.pods``):
it carries the caller's token, the global request id, the negotiated
microversion and the service whose pod endpoint it calls. It owns every
rule about pod calls, so no driver repeats them:

- *unreachable* is one definition: a refused or failed connection, a
  connect or read timeout, a connection reset, a proxy's 502 or 504.
  The pod is marked down (after ``[pods] down_after_failures`` such
  failures in a row) and the call raises :class:`PodUnavailable` (503);
  an answer marks it up.
- a pod's 5xx becomes the gateway's 500 (the pod's answer is logged);
  501 and 503 pass through with the pod's message, as does every 4xx.
- hrefs in answers point at the gateway, and the pod's internal
  availability zone is shown as the one users know.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import IO
from typing import Any
from typing import Generic
from typing import Literal
from typing import Protocol
from typing import TypeVar

import webob

from trio2o_core.plugin.microversion import MicroversionSpec
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing

T = TypeVar('T')

#: the pod endpoint a service calls (a catalog service, as named by the
#: SDK)
CatalogService = Literal['compute', 'block_storage', 'image']
#: a request body to send: JSON-ready value (``json=``) or raw bytes, a
#: file-like object or an iterable of chunks (``data=``)
RawBody = bytes | IO[bytes] | Iterable[bytes]
#: the header naming the pods a merged answer lacks
PARTIAL_HEADER = 'X-Trio2o-Partial'


class PodReply(Protocol):
    """A pod's HTTP answer (``requests.Response`` has this shape)."""

    status_code: int
    headers: Mapping[str, str]

    @property
    def content(self) -> bytes:
        """The whole body (read on first use)."""

    def json(self) -> Any:
        """The decoded JSON body; raises ``ValueError`` if it is not."""

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        """The body in chunks, for streamed answers."""

    def close(self) -> None:
        """Release the connection of a streamed answer."""


@dataclasses.dataclass(frozen=True)
class ServiceAPI:
    """What the core needs to know of the API a driver serves.

    ``catalog_service`` names the pod endpoint called (None: the service
    calls no pod); ``version_suffix``
    is a regular expression matching the tail of that endpoint which
    names the API version and project (``/v2.1/<project>``), removed to
    get the pod's root, the base of the hrefs it writes;
    ``zone_keys`` are the body keys holding an availability zone;
    ``microversions`` is None for an API without them.
    """

    catalog_service: CatalogService | None
    version_suffix: str = ''
    zone_keys: tuple[str, ...] = ()
    microversions: MicroversionSpec | None = None


class PodRefused(Exception):
    """A pod answered a fan-out call with an error of its own.

    :param reply: the pod's answer.
    """

    def __init__(self, pod: Pod, reply: PodReply) -> None:
        super().__init__(f'{pod.name} answered {reply.status_code}')
        self.pod = pod
        self.reply = reply


@dataclasses.dataclass
class Gathered(Generic[T]):
    """What a fan-out to many pods gave, each pod in one class.

    ``ok`` maps a pod id to its result, in the order the pods were
    given; ``refused`` holds the pods' own errors (:class:`PodRefused`);
    ``down`` the pods known down or unreachable now (timeouts included);
    ``failed`` the pods whose call raised anything else.
    """

    pods: Mapping[str, Pod]
    ok: dict[str, T] = dataclasses.field(default_factory=dict)
    refused: dict[str, PodRefused] = dataclasses.field(default_factory=dict)
    down: list[Pod] = dataclasses.field(default_factory=list)
    failed: list[Pod] = dataclasses.field(default_factory=list)

    def items(self) -> list[tuple[Pod, T]]:
        """The pods that answered, with their results, in pod order."""
        return [(self.pods[pod_id], result)
                for pod_id, result in self.ok.items()]

    @property
    def missing(self) -> list[Pod]:
        """Pods whose part of the answer is lacking (down or failed)."""
        return [*self.down, *self.failed]

    def mark_partial(self, response: webob.Response) -> None:
        """Name the missing pods in ``X-Trio2o-Partial`` (if any)."""
        if self.missing:
            response.headers[PARTIAL_HEADER] = ', '.join(
                sorted(pod.name for pod in self.missing))


class PodCaller(abc.ABC):
    """Calls, as one request's caller, the pods behind one service."""

    @property
    @abc.abstractmethod
    def request_id(self) -> str | None:
        """The request id pod calls carry (``X-OpenStack-Request-ID``);
        name it when logging about a pod call."""

    @abc.abstractmethod
    def call(self, target: Pod | Routing, method: str, path: str, *,
             json: Any = None, data: RawBody | None = None,
             params: Sequence[tuple[str, str]] | Mapping[str, Any]
             | None = None,
             headers: Mapping[str, str] | None = None,
             microversion: str | None = None,
             stream: bool = False) -> PodReply:
        """Send one call to the pod ``target`` is (or lives in).

        ``path`` is relative to the service's endpoint in that pod
        (``/servers/<id>``). The negotiated microversion is sent unless
        ``microversion`` is given; the global request id and the
        caller's language always are. The answer is returned whatever
        its status.

        :raises PodUnavailable: the pod is down or cannot be reached;
            ``answer_lost`` says whether the call may have acted.
        """

    @abc.abstractmethod
    def root(self, pod: Pod) -> str:
        """The pod's root URL for this service (the base of its hrefs).

        :raises PodUnavailable: the pod has no endpoint for the service.
        """

    @abc.abstractmethod
    def translate(self, pod: Pod, value: Any, *,
                  in_place: bool = False) -> Any:
        """Return a pod's JSON value (or a URL) as the gateway shows it:
        hrefs at the gateway, the pod's zone as the users' one.

        ``value`` is left as it was, unless ``in_place``: its dicts and
        lists are then changed and returned (cheaper: no copy to make
        and collect, for records decoded for this answer only)."""

    @abc.abstractmethod
    def translated_json(self, pod: Pod, reply: PodReply) -> Any:
        """Return ``reply``'s JSON as :meth:`translate` shows it, for an
        answer read once: the hrefs and zones are rewritten in the body
        before it is decoded where that gives the same values (a list's
        records cost no walk).

        :raises ValueError: the body is not JSON.
        """

    @abc.abstractmethod
    def relay(self, pod: Pod, reply: PodReply) -> webob.Response:
        """Turn a pod's answer into the client's.

        2xx and 4xx, 501 and 503 keep the pod's status and translated
        body; ``Location``, ``Retry-After``, ``Content-Type`` and the
        pod's request id (``X-OpenStack-Request-ID``,
        ``X-Compute-Request-ID``) are kept.

        :raises PodFailed: the pod answered another 5xx (a 500 for the
            client; the answer is logged).
        """

    @abc.abstractmethod
    def json(self, target: Pod | Routing, path: str, *,
             params: Sequence[tuple[str, str]] | Mapping[str, Any]
             | None = None,
             microversion: str | None = None,
             expect: tuple[int, ...] = (200,)) -> Any:
        """``GET`` ``path`` and return the decoded JSON answer.

        :raises PodRefused: the status is not in ``expect`` or the body
            is not JSON.
        :raises PodUnavailable: as :meth:`call`.
        """

    @abc.abstractmethod
    def gather(self, pods: Iterable[Pod], fetch: Callable[[Pod], T],
               timeout: float | None = None) -> Gathered[T]:
        """Call ``fetch(pod)`` for every pod in parallel, each within
        ``timeout`` seconds (``[pods] timeout`` by default).

        Pods known down are not called. Every pod lands in one class of
        the result; each failure is logged with the pod and the request
        id, and a timeout counts as a failure to reach the pod.
        """

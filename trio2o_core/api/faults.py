"""The one table from exceptions to HTTP faults.

Gateway-made errors are written as Nova (``{"badRequest": {"code": 400,
"message": ...}}``) or Cinder faults. A pod's own answer is relayed by the
pod caller; a pod's 5xx reaches this table as ``PodFailed`` (the style's
generic 500), an unreachable pod as ``PodUnavailable`` (503).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from typing import Any

import webob
import webob.dec
import webob.exc

from trio2o_core.db import exceptions as db_exc
from trio2o_core.plugin import exceptions as plugin_exc

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
    404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest',
    413: 'overLimit', 415: 'badMediaType', 429: 'overLimit',
    501: 'notImplemented', 503: 'serviceUnavailable',
}
DEFAULT_FAULT_NAME = 'computeFault'

NOVA_UNEXPECTED = 'Unexpected API Error. Please contact the administrator'
CINDER_UNEXPECTED = ('The server has either erred or is incapable of '
                     'performing the requested operation.')

#: db errors whose message the gateway wrote (ids, column names, counts):
#: sent to the client with their HTTP status
_DB_CODES: tuple[tuple[type[Exception], int], ...] = (
    (db_exc.MarkerNotFound, 400),
    (db_exc.InvalidValue, 400),
    (db_exc.InvalidReference, 400),
    (db_exc.NotFound, 404),
    (db_exc.PodInUse, 409),
    (db_exc.Duplicate, 409),
)
#: db errors carrying the driver's text (host, user, pool state): logged,
#: answered 503 with this message
DB_UNAVAILABLE = 'The service is temporarily unavailable. Try again later.'
_DB_UNAVAILABLE = (db_exc.DBConnectionError, db_exc.TransientError)


@dataclasses.dataclass(frozen=True)
class Fault:
    """An error as the client will see it."""

    code: int
    message: str
    headers: tuple[tuple[str, str], ...] = ()


def fault_for(exc: BaseException, style: str = 'nova') -> Fault:
    """Translate any exception into the fault the client receives.

    Never raises. Unexpected exceptions are logged with their traceback.
    """
    if isinstance(exc, plugin_exc.PodFailed):
        # the pod's answer was logged with the request id when relayed
        return _unexpected(style)
    if isinstance(exc, plugin_exc.PluginError):
        if exc.operator_message != exc.user_message:
            LOG.info('%s: %s', type(exc).__name__, exc.operator_message)
        return Fault(exc.code, exc.user_message)
    if isinstance(exc, webob.exc.HTTPException):
        return _webob_fault(exc)
    fault = _db_fault(exc)
    if fault is not None:
        return fault
    LOG.error('unexpected error', exc_info=exc)
    return _unexpected(style)


def _db_fault(exc: BaseException) -> Fault | None:
    """The fault of a database error, None for any other exception.

    Only messages the gateway wrote reach the client; the driver's text
    goes to the log.
    """
    for cls, code in _DB_CODES:
        if isinstance(exc, cls):
            return Fault(code, str(exc))
    if isinstance(exc, _DB_UNAVAILABLE):
        LOG.warning('database unavailable: %s', exc)
        return Fault(503, DB_UNAVAILABLE)
    return None


def _webob_fault(exc: webob.exc.HTTPException) -> Fault:
    code = exc.code
    message = exc.detail or ' '.join(exc.explanation.split())
    headers = tuple((k, v) for k, v in exc.headers.items()
                    if k.lower() in ('allow', 'retry-after'))
    return Fault(code, message, headers)


def _unexpected(style: str) -> Fault:
    """A 500 that names nothing of its cause (no message, no class)."""
    if style == 'cinder':
        return Fault(500, CINDER_UNEXPECTED)
    return Fault(500, NOVA_UNEXPECTED)


def render(fault: Fault, style: str = 'nova') -> webob.Response:
    """Write ``fault`` as a response in the service's error format."""
    if style == 'passthrough':
        error = webob.exc.status_map.get(fault.code,
                                         webob.exc.HTTPInternalServerError)
        response = error(detail=fault.message)
        response.headers.update(fault.headers)
        return response
    name = FAULT_NAMES.get(fault.code, DEFAULT_FAULT_NAME)
    inner: dict[str, Any] = {'code': fault.code, 'message': fault.message}
    headers = dict(fault.headers)
    if fault.code in (413, 429):
        headers.setdefault('Retry-After', '0')
        inner['retryAfter'] = headers['Retry-After']
    response = webob.Response(
        status=fault.code, content_type='application/json',
        body=json.dumps({name: inner}).encode())
    # Set after construction: WebOb drops a JSON charset given above.
    response.charset = 'UTF-8'
    response.headers.update(headers)
    return response


class FaultWrapper:
    """Paste filter: answer any exception raised below it with a fault.

    ``style`` (paste local conf) is ``nova``, ``cinder`` or
    ``passthrough``.
    """

    def __init__(self, application: Any, style: str = 'nova') -> None:
        self.application = application
        self.style = style

    @classmethod
    def factory(cls, global_conf: dict, **local_conf: str) -> Any:
        style = local_conf.get('style', 'nova')
        return lambda app: cls(app, style)

    # plain WSGI: a webob request and response per layer cost more than
    # this
    def __call__(self, environ: dict, start_response: Any) -> Any:
        begun: list[bool] = []

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            begun.append(True)
            return start_response(status, headers, exc_info)

        try:
            return self.application(environ, start)
        except Exception as exc:
            response = render(fault_for(exc, self.style), self.style)
            if not begun:
                return response(environ, start_response)
            error = sys.exc_info()

            # an answer begun below is replaced (the server refuses if
            # its headers were sent)
            def restart(status: str, headers: list[tuple[str, str]],
                        exc_info: Any = None) -> Any:
                return start_response(status, headers, error)

            return response(environ, restart)

"""The one table from exceptions to HTTP faults.

Gateway-made errors are written as Nova (``{"badRequest": {"code": 400,
"message": ...}}``) or Cinder faults; a pod's own 4xx is passed through
with the pod's message; a pod's 5xx becomes 500; an unreachable pod 503.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import webob
import webob.dec
import webob.exc
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

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
    if isinstance(exc, plugin_exc.PluginError):
        if exc.operator_message != exc.user_message:
            LOG.info('%s: %s', type(exc).__name__, exc.operator_message)
        return Fault(exc.code, exc.user_message)
    if isinstance(exc, webob.exc.HTTPException):
        return _webob_fault(exc)
    if isinstance(exc, sdk_exc.HttpException) and exc.status_code:
        return _pod_fault(exc, style)
    if isinstance(exc, ks_exc.AuthorizationFailure):
        # no credentials to act as the caller in a pod (a noauth request
        # naming a user but sending no token)
        return Fault(401, 'The request you have made requires '
                          'authentication.')
    if isinstance(exc, (ks_exc.ConnectFailure, ks_exc.ConnectionError,
                        ks_exc.EndpointNotFound, ks_exc.DiscoveryFailure)):
        LOG.warning('pod unreachable: %s', exc)
        return Fault(503, 'A pod needed by this request is unavailable.')
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


def _pod_fault(exc: sdk_exc.HttpException, style: str) -> Fault:
    code = int(exc.status_code)
    headers: tuple[tuple[str, str], ...] = ()
    response = getattr(exc, 'response', None)
    if response is not None and response.headers.get('Retry-After'):
        headers = (('Retry-After', response.headers['Retry-After']),)
    if code >= 500 and code not in (501, 503):
        LOG.error('pod answered %s for %s (request %s): %s', code,
                  getattr(exc, 'url', '?'), getattr(exc, 'request_id', '?'),
                  exc.details)
        return _unexpected(style)
    return Fault(code, pod_message(exc), headers)


def pod_message(exc: sdk_exc.HttpException) -> str:
    """Return the message a pod wrote in its error body."""
    response = getattr(exc, 'response', None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and len(body) == 1:
            inner = next(iter(body.values()))
            if isinstance(inner, dict) and 'message' in inner:
                return str(inner['message'])
    return str(exc.details or exc.message)


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

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> Any:
        try:
            return request.get_response(self.application)
        except Exception as exc:
            return render(fault_for(exc, self.style), self.style)

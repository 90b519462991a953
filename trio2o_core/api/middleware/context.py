"""Paste filters that build the request context.

Reads: the ``X-*`` identity headers keystonemiddleware writes (or, with
``noauth``, the client's), ``keystone.token_info``. Writes:
``environ['trio2o.context']``.
"""

from __future__ import annotations

from typing import Any

import webob

from trio2o_core import policies
from trio2o_core.context import RequestContext
from trio2o_core.plugin.request import CONTEXT_KEY


class _ContextFilter:
    """A paste filter (plain WSGI) wrapping ``application``; the
    contexts it makes are admin when the policy rule
    ``context_is_admin`` says so."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @classmethod
    def factory(cls, global_conf: dict, **local_conf: str) -> Any:
        return cls


class KeystoneContext(_ContextFilter):
    """Build the context from a request keystonemiddleware validated.

    A request without a confirmed token goes on without a context; the
    router answers 401 unless the route is public (version documents).
    """

    def __call__(self, environ: dict, start_response: Any) -> Any:
        environ.pop(CONTEXT_KEY, None)
        if environ.get('HTTP_X_IDENTITY_STATUS') == 'Confirmed':
            context = RequestContext.from_environ(
                environ, token_info=environ.get('keystone.token_info'))
            if context.user_id and context.project_id:
                context.is_admin = policies.is_admin(context)
                environ[CONTEXT_KEY] = context
        return self.application(environ, start_response)


class NoAuthContext(_ContextFilter):
    """Trust the caller's ``X-User-Id``/``X-Project-Id``/``X-Roles``.

    For local development only: anyone reaching the port may claim any
    identity. ``X-Auth-Token: user:project`` works as a shorthand. A
    request naming no user and project goes on without a context.
    """

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = webob.Request(environ)
        environ.pop(CONTEXT_KEY, None)
        token = request.headers.get('X-Auth-Token', '')
        user, _, project = token.partition(':')
        user = request.headers.get('X-User-Id') or user
        project = request.headers.get('X-Project-Id') or project
        if not user or not project:
            return self.application(environ, start_response)
        roles = [r.strip() for r in
                 request.headers.get('X-Roles', 'member,reader').split(',')
                 if r.strip()]
        context = RequestContext(
            user_id=user, project_id=project, roles=roles,
            auth_token=token or None,
            request_id=request.environ.get('openstack.request_id'),
            global_request_id=request.environ.get(
                'openstack.global_request_id'))
        context.is_admin = policies.is_admin(context)
        environ[CONTEXT_KEY] = context
        return self.application(environ, start_response)

"""Exceptions a plugin raises to answer the client with an error.

Each carries a message for the user (sent in the fault body) and an
optional message for the operator (logged, never sent).
"""

from __future__ import annotations


class PluginError(Exception):
    """Base of every error a plugin may raise on purpose.

    :param user_message: text sent to the client in the fault body.
    :param operator_message: text logged for the operator; defaults to the
        user message.
    """

    code: int = 500

    def __init__(self, user_message: str,
                 operator_message: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.operator_message = operator_message or user_message


class BadRequest(PluginError, ValueError):
    """The request is malformed or invalid (400)."""

    code = 400


class Forbidden(PluginError):
    """The caller may not do this (403)."""

    code = 403


class NotFound(PluginError, LookupError):
    """The named resource does not exist for the caller (404)."""

    code = 404


class Conflict(PluginError):
    """The resource is in a state that forbids the request (409)."""

    code = 409


class NotAcceptable(PluginError):
    """The requested API version is outside the supported range (406)."""

    code = 406


class UnsupportedMediaType(PluginError):
    """The request's Content-Type is not one the API reads (415)."""

    code = 415


class NotSupported(PluginError, NotImplementedError):
    """The gateway does not support this request (501)."""

    code = 501


class PodUnavailable(PluginError):
    """The pod owning the resource cannot be reached (503).

    :param pod_name: the pod's name (its Keystone region).
    :param answer_lost: the call reached the pod but its answer did not
        come back (read timeout, reset, a proxy's 502/504): the pod may
        have acted.
    """

    code = 503

    def __init__(self, pod_name: str,
                 operator_message: str | None = None,
                 answer_lost: bool = False) -> None:
        super().__init__(f'Pod {pod_name} is unavailable.', operator_message)
        self.pod_name = pod_name
        self.answer_lost = answer_lost


class PodFailed(PluginError):
    """A pod answered with a server error of its own: a 500 for the
    client, written in the service's style (the pod's answer is logged,
    never sent).

    :param pod_name: the pod's name.
    :param status: the pod's status code.
    """

    code = 500

    def __init__(self, pod_name: str, status: int,
                 operator_message: str | None = None) -> None:
        super().__init__(f'Pod {pod_name} failed.',
                         operator_message or f'{pod_name} answered {status}')
        self.pod_name = pod_name
        self.status = status


class NoValidPod(BadRequest):
    """No enabled, reachable pod can take a new resource (400)."""


class PluginLoadError(Exception):
    """An enabled plugin is missing, broken, duplicated or incompatible."""

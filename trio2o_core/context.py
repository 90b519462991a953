"""The request context: who calls, with which token and catalog."""

from __future__ import annotations

from typing import Any

from oslo_context import context as o_context


class RequestContext(o_context.RequestContext):
    """An oslo.context request context that also keeps the caller's
    token data (with its service catalog, when Keystone sent one).

    ``is_admin`` is what the creator says; the context middleware sets it
    from the policy rule ``context_is_admin``.
    """

    def __init__(self, token_info: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_info = token_info

    def to_dict(self) -> dict[str, Any]:
        values = super().to_dict()
        values.pop('token_info', None)
        return values

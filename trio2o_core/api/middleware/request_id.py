"""The compute API's request id: Nova answers its request id under
``x-compute-request-id`` as well as ``x-openstack-request-id`` (the
header it had before oslo's), and clients read either."""

from __future__ import annotations

from oslo_middleware import request_id

#: the header Nova has always answered its request id in
COMPUTE_REQUEST_ID = 'x-compute-request-id'


class ComputeRequestId(request_id.RequestId):
    """oslo's request id middleware that also answers the id under
    ``x-compute-request-id`` (same value)."""

    compat_headers = [COMPUTE_REQUEST_ID]

"""The parts of Cinder's attachment schema the gateway reads
(``cinder/api/schemas/attachments.py``); the pod checks the rest."""

from __future__ import annotations

from typing import Any

CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'attachment': {
            'type': 'object',
            'properties': {
                'volume_uuid': {'type': 'string', 'format': 'uuid'},
                'instance_uuid': {'type': 'string', 'format': 'uuid'},
            },
            'required': ['volume_uuid'],
        },
    },
    'required': ['attachment'],
    'additionalProperties': False,
}

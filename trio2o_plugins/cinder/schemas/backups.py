"""The parts of Cinder's backup schemas the gateway reads
(``cinder/api/schemas/backups.py``); the pod checks the rest."""

from __future__ import annotations

from typing import Any

from trio2o_plugins.cinder.schemas.volumes import OPTIONAL_UUID

CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'backup': {
            'type': 'object',
            'properties': {
                'volume_id': {'type': 'string', 'format': 'uuid'},
                'availability_zone': {'type': ['string', 'null']},
            },
            'required': ['volume_id'],
        },
    },
    'required': ['backup'],
    'additionalProperties': False,
}

RESTORE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'restore': {
            'type': ['object', 'null'],
            'properties': {'volume_id': OPTIONAL_UUID},
        },
    },
    'required': ['restore'],
    'additionalProperties': False,
}

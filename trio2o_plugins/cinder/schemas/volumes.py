"""The parts of Cinder's volume-create schema the gateway reads
(``cinder/api/schemas/volumes.py``); the pod checks the rest."""

from __future__ import annotations

from typing import Any

OPTIONAL_UUID: dict[str, Any] = {
    'oneOf': [{'type': 'null'}, {'type': 'string', 'format': 'uuid'}]}
ZONE: dict[str, Any] = {'type': ['string', 'null'], 'minLength': 1,
                        'maxLength': 255}

CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'availability_zone': ZONE,
                'snapshot_id': OPTIONAL_UUID,
                'source_volid': OPTIONAL_UUID,
                'backup_id': OPTIONAL_UUID,
                'group_id': OPTIONAL_UUID,
            },
        },
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']},
    },
    'required': ['volume'],
    'additionalProperties': False,
}

SNAPSHOT_CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {'volume_id': {'type': ['string', 'null'],
                                         'format': 'uuid'}},
            'required': ['volume_id'],
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}

"""The parts of Cinder's group and group snapshot schemas the gateway
reads (``cinder/api/schemas/groups.py``, ``group_snapshots.py``); the
pod checks the rest."""

from __future__ import annotations

from typing import Any

from trio2o_plugins.cinder.schemas.volumes import OPTIONAL_UUID
from trio2o_plugins.cinder.schemas.volumes import ZONE

CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'group': {
            'type': 'object',
            'properties': {'availability_zone': ZONE},
        },
    },
    'required': ['group'],
    'additionalProperties': False,
}

CREATE_FROM_SOURCE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'create-from-src': {
            'type': 'object',
            'properties': {
                'group_snapshot_id': OPTIONAL_UUID,
                'source_group_id': OPTIONAL_UUID,
            },
            'oneOf': [{'required': ['group_snapshot_id']},
                      {'required': ['source_group_id']}],
        },
    },
    'required': ['create-from-src'],
    'additionalProperties': False,
}

SNAPSHOT_CREATE: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'group_snapshot': {
            'type': 'object',
            'properties': {'group_id': {'type': 'string', 'format': 'uuid'}},
            'required': ['group_id'],
        },
    },
    'required': ['group_snapshot'],
    'additionalProperties': False,
}

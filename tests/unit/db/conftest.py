"""Fixtures of the database unit tests: a private state path."""

import pathlib
from collections.abc import Iterator

import pytest

from trio2o_core.conf import CONF
from trio2o_core.db import api


@pytest.fixture
def state_path(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """Point ``state_path`` at an empty directory; no connection is set."""
    path = tmp_path / 'state'
    CONF.set_override('state_path', str(path))
    CONF.set_override('connection', None, group='database')
    api.reset_engine()
    yield path
    api.reset_engine()
    CONF.clear_override('connection', group='database')
    CONF.clear_override('state_path')

"""Fixtures of the core unit tests: configuration overrides, a private
SQLite database, throwaway plugin distributions."""

import pathlib
import textwrap
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest

from trio2o_core.conf import CONF
from trio2o_core.db import engine
from trio2o_core.db import migration

Override = Callable[..., None]


@pytest.fixture
def override() -> Iterator[Override]:
    """Set ``CONF`` options for one test: ``override(name, value,
    group=None)``; every override is cleared afterwards."""
    done: list[tuple[str, str | None]] = []

    def set_override(name: str, value: Any, group: str | None = None
                     ) -> None:
        CONF.set_override(name, value, group=group)
        done.append((name, group))

    yield set_override
    for name, group in reversed(done):
        CONF.clear_override(name, group=group)


@pytest.fixture
def sqlite_db(tmp_path: pathlib.Path, override: Override) -> Iterator[str]:
    """A migrated SQLite gateway database private to the test."""
    url = f'sqlite:///{tmp_path}/gateway.sqlite'
    override('connection', url, group='database')
    engine.reset_engine()
    migration.upgrade()
    yield url
    engine.reset_engine()


DistMaker = Callable[[dict[str, dict[str, str]], str], str]


@pytest.fixture
def make_dist(tmp_path: pathlib.Path,
              monkeypatch: pytest.MonkeyPatch) -> DistMaker:
    """Install a throwaway distribution for one test.

    ``make_dist(entry_points, source)`` writes a module holding
    ``source`` and a ``*.dist-info`` declaring ``entry_points`` (group ->
    name -> ``"{module}:Attr"``) into a new directory put first on
    ``sys.path``; returns the module's unique name.
    """

    def make(entry_points: dict[str, dict[str, str]], source: str) -> str:
        module = f'trio2o_test_plugin_{uuid.uuid4().hex[:12]}'
        root = tmp_path / module
        info = root / f'{module}-1.0.dist-info'
        info.mkdir(parents=True)
        (info / 'METADATA').write_text(
            f'Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n')
        lines = []
        for group, names in entry_points.items():
            lines.append(f'[{group}]')
            lines += [f'{name} = {target.format(module=module)}'
                      for name, target in names.items()]
        (info / 'entry_points.txt').write_text('\n'.join(lines) + '\n')
        (root / f'{module}.py').write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(root))
        return module

    return make

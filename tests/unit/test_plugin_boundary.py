"""Plugins use only the closed contract: names of
``trio2o_core.plugin.__all__``, imported from the package itself."""

from __future__ import annotations

import ast
from pathlib import Path

import trio2o_core.plugin

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_TREES = (ROOT / 'trio2o_plugins', ROOT / 'examples' /
                'trio2o-example-plugins' / 'trio2o_example_plugins')
CONTRACT = 'trio2o_core.plugin'


def _core_imports(path: Path) -> list[tuple[str, str | None]]:
    """``(module, name)`` of each import of the core (name None for a
    plain ``import``)."""
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return [(module, name) for module, name in found
            if module.split('.')[0] == 'trio2o_core']


def _plugin_files() -> list[Path]:
    return [path for tree in PLUGIN_TREES for path in tree.rglob('*.py')]


def test_plugins_import_only_names_of_the_contract():
    offenders = {
        f'{path.relative_to(ROOT)}: {module} {name}'
        for path in _plugin_files()
        for module, name in _core_imports(path)
        if module != CONTRACT or name not in trio2o_core.plugin.__all__
    }
    assert not offenders


def test_every_name_of_the_contract_exists():
    missing = [name for name in trio2o_core.plugin.__all__
               if not hasattr(trio2o_core.plugin, name)]
    assert not missing


def test_the_check_sees_plugin_modules():
    assert all(any(_core_imports(path) for path in tree.rglob('*.py'))
               for tree in PLUGIN_TREES)

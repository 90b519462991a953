"""Plugins import only the public plugin API of the core."""

from __future__ import annotations

import ast
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / 'trio2o_plugins'
ALLOWED = ('trio2o_core.plugin',)


def _core_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return [name for name in names if name.split('.')[0] == 'trio2o_core']


def test_plugins_import_only_the_plugin_api():
    offenders = {
        str(path.relative_to(PLUGINS)): name
        for path in PLUGINS.rglob('*.py')
        for name in _core_imports(path)
        if not any(name == ok or name.startswith(ok + '.')
                   for ok in ALLOWED)
    }
    assert not offenders


def test_the_check_sees_plugin_modules():
    assert any(_core_imports(path) for path in PLUGINS.rglob('*.py'))

"""The Sphinx docs build with warnings as errors (``tox -e docs``), and the
generated references list what the code has: every route of the built-in
drivers, every option group and every policy rule."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

from trio2o_core.conf import opts
from trio2o_core.policies import list_rules

ROOT = Path(__file__).resolve().parents[2]


def _text(path: Path) -> str:
    page = re.sub(r'<[^>]+>', ' ', path.read_text())
    return re.sub(r'\s+', ' ', html.unescape(page))


def test_docs_build_without_warnings_and_list_the_code(tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
         'html', 'doc/source', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr

    api = _text(tmp_path / 'api-reference.html')
    for route in ('POST /compute/v2.1/servers ', 'GET /volume/v3/volumes ',
                  'DELETE /admin/v1/pods/{pod_id} ',
                  'PATCH /image/{path:.+} '):
        assert route in api, route
    assert 'os-extend' in api and 'createImage' in api
    config = (tmp_path / 'config-reference.html').read_text()
    for group, options in opts.list_opts():
        name = getattr(group, 'name', group) or 'DEFAULT'
        for option in options:
            assert f'id="{name}.{option.dest}"' in config, (name, option)
    policy = _text(tmp_path / 'policy-reference.html')
    for rule in list_rules():
        assert rule.name in policy, rule.name

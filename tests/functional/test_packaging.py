"""Release packaging: from a clone tagged as a release, ``python -m
build`` makes an sdist and a wheel versioned by the tag (pbr); the wheel
installs into a clean virtual environment, where the commands run; the
release notes pass ``reno lint``."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RELEASE = '9.8.7'


def _run(*cmd: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(part) for part in cmd], cwd=cwd,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        f'{cmd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}')
    return result.stdout


def test_tagged_release_builds_installs_and_runs(tmp_path):
    clone = tmp_path / 'trio2o'
    _run('git', 'clone', '--quiet', ROOT, clone)
    _run('git', '-c', 'user.name=release', '-c', 'user.email=release@example',
         'tag', '-a', RELEASE, '-m', f'Trio2o {RELEASE}', cwd=clone)
    dist = tmp_path / 'dist'

    _run(sys.executable, '-m', 'build', '--outdir', dist, clone)

    assert sorted(p.name for p in dist.iterdir()) == [
        f'trio2o-{RELEASE}-py3-none-any.whl', f'trio2o-{RELEASE}.tar.gz']
    with tarfile.open(dist / f'trio2o-{RELEASE}.tar.gz') as sdist:
        names = {name.split('/', 1)[1] for name in sdist.getnames()
                 if '/' in name}
    for shipped in ('etc/trio2o/api-paste.ini',
                    'etc/trio2o/trio2o.conf.sample', 'devstack/plugin.sh',
                    'releasenotes/notes', 'trio2o_core/plugin/__init__.py'):
        assert shipped in names, shipped

    venv = tmp_path / 'venv'
    _run(sys.executable, '-m', 'venv', venv)
    _run(venv / 'bin' / 'python', '-m', 'pip', 'install', '--quiet',
         dist / f'trio2o-{RELEASE}-py3-none-any.whl')
    assert _run(venv / 'bin' / 'python', '-c',
                'import importlib.metadata as m; print(m.version("trio2o"))',
                cwd=tmp_path).strip() == RELEASE
    assert _run(venv / 'bin' / 'trio2o-api', '--help').startswith(
        'usage: trio2o-api')
    assert 'db' in _run(venv / 'bin' / 'trio2o-manage', '--help')


def test_release_notes_pass_reno_lint():
    _run(BIN / 'reno', 'lint', cwd=ROOT)

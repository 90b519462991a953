"""The benchmarks run end to end in quick mode: real processes, a figure
per scenario, answers checked by the benchmarks themselves, exit 0 and
the JSON they write (no timing checked)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / 'bench'
FIGURE = re.compile(r'^(direct|gateway) +pods=3 +(first|deep) .*'
                    r'p50 +[\d.]+ ms +p95 +[\d.]+ ms +[\d.]+ req/s',
                    re.MULTILINE)
SUMMARY_ROW = re.compile(r'^ +3 +(first|deep) +\d+ +[\d.]+ ms', re.MULTILINE)


def run(script: str, tmp_path: Path, *args: str) -> tuple[str, Any]:
    """Run ``bench/<script> --quick`` and return its output and JSON."""
    out = tmp_path / 'figures.json'
    result = subprocess.run(
        [sys.executable, str(BENCH / script), '--quick', '--json', str(out),
         *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads(out.read_text())


def test_list_servers_quick_prints_a_figure_per_scenario(
        tmp_path: Path) -> None:
    stdout, figures = run('list_servers.py', tmp_path, '--pods', '3',
                          '--latency', '2')

    scenarios = [m.groups() for m in FIGURE.finditer(stdout)]
    assert sorted(scenarios) == [('direct', 'deep'), ('direct', 'first'),
                                 ('gateway', 'deep'), ('gateway', 'first')]
    assert sorted(SUMMARY_ROW.findall(stdout)) == ['deep', 'first']
    assert figures['latency_ms'] == 2
    gateway = [r for r in figures['runs'] if r['target'] == 'gateway']
    # three pods asked once each per page (the deep page: one show more)
    assert [r['calls']['lists'] / r['requests'] for r in gateway] == [3, 3]


def test_list_servers_baseline_takes_its_turn_in_every_round(
        tmp_path: Path) -> None:
    # one page scenario only (--pages)
    stdout, figures = run('list_servers.py', tmp_path, '--pods', '3',
                          '--rounds', '2', '--pages', 'first',
                          '--baseline', sys.executable)

    assert figures['rounds'] == 2
    assert {r['page'] for r in figures['runs']} == {'first'}
    baseline = [r for r in figures['runs'] if r['target'] == 'baseline']
    # 10 requests in 2 rounds of 5, three pods asked once per first page
    [first] = baseline
    assert first['requests'] == 10
    assert first['calls']['lists'] / first['requests'] == 3
    assert stdout.count('(baseline)') == 1


def test_passthrough_quick_measures_every_path(tmp_path: Path) -> None:
    stdout, figures = run('passthrough.py', tmp_path,
                          '--connections', '1,4')

    paths = {(row['path'], row['operation']) for row in figures['rows']}
    expected = {'pod direct', 'bare proxy', 'gateway'}
    if 'nginx is not installed' not in stdout:
        expected.add('nginx')
    assert paths == {(path, op) for path in expected
                     for op in ('GET', 'os-stop')}
    for row in figures['rows']:
        for concurrency in ('c1', 'c4'):
            assert row[concurrency]['requests'] > 0
    assert 'added p50 at c=1' in stdout


def test_passthrough_rounds_add_up(tmp_path: Path) -> None:
    _, figures = run('passthrough.py', tmp_path, '--connections', '1',
                     '--seconds', '2', '--rounds', '2')

    assert figures['rounds'] == 2
    for row in figures['rows']:
        assert row['c1']['rounds'] == 2
        assert row['c1']['requests'] > 0
    gateway = [r for r in figures['rows'] if r['path'] == 'gateway']
    assert all(r['c1']['cpu_ms'] > 0 for r in gateway)


def test_passthrough_baseline_is_loaded_beside_the_gateway(
        tmp_path: Path) -> None:
    stdout, figures = run('passthrough.py', tmp_path, '--connections', '1',
                          '--baseline', sys.executable)

    baseline = [r for r in figures['rows'] if r['path'] == 'baseline']
    assert {r['operation'] for r in baseline} == {'GET', 'os-stop'}
    assert all(r['c1']['requests'] > 0 and r['c1']['cpu_ms'] > 0
               for r in baseline)
    assert stdout.count('against the baseline: CPU per call c=1 ') == 2


def test_routing_scale_quick_times_each_lookup(tmp_path: Path) -> None:
    stdout, figures = run('routing_scale.py', tmp_path, '--rows', '3000',
                          '--big', '500', '--lookups', '50', '--lists', '2')

    assert 'sqlite' in figures['backends']
    for backend in figures['backends'].values():
        assert backend['rows'] == 3000
        assert set(backend['operations']) == {'lookup', 'lookup (ORM)',
                                              'page check',
                                              'project list'}
    assert re.search(r'^sqlite +3000 .* lookup ', stdout, re.MULTILINE)


def test_creates_quick_routes_every_create(tmp_path: Path) -> None:
    stdout, figures = run('creates.py', tmp_path, '--workers', '1,2',
                          '--postgres', '')

    assert figures['database'] == 'sqlite'
    assert [row['workers'] for row in figures['rows']] == [1, 2]
    for row in figures['rows']:
        assert row['creates'] > 0
        assert row['routed'] >= row['creates']


def test_image_stream_quick_moves_every_byte(tmp_path: Path) -> None:
    stdout, figures = run('image_stream.py', tmp_path, '--megabytes', '8')

    transfers = [(row['target'], row['transfer']) for row in figures['rows']]
    assert transfers == [('direct', 'upload'), ('direct', 'download'),
                         ('gateway', 'upload'), ('gateway', 'download')]
    for row in figures['rows']:
        assert row['megabytes'] == 8 and row['mb_per_s'] > 0
        assert ('rss_growth_mb' in row) == (row['target'] == 'gateway')

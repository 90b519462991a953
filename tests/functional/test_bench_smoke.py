"""``bench/list_servers.py --quick`` runs end to end: a real trio2o-api in
front of canned pods, a figure per scenario, exit 0 (no timing checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / 'bench' / 'list_servers.py'
FIGURE = re.compile(r'^(direct|gateway) +pods=3 +(first|deep) .*'
                    r'p50 +[\d.]+ ms +p95 +[\d.]+ ms +[\d.]+ req/s',
                    re.MULTILINE)
SUMMARY_ROW = re.compile(r'^ +3 +(first|deep) +\d+ +[\d.]+ ms', re.MULTILINE)


def test_list_servers_quick_prints_a_figure_per_scenario() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), '--quick', '--pods', '3'],
        capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    scenarios = [m.groups() for m in FIGURE.finditer(result.stdout)]
    assert sorted(scenarios) == [('direct', 'deep'), ('direct', 'first'),
                                 ('gateway', 'deep'), ('gateway', 'first')]
    assert sorted(SUMMARY_ROW.findall(result.stdout)) == ['deep', 'first']

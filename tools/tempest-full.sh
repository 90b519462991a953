#!/usr/bin/env bash
# Tempest's compute API suite and image API tests (less the exclusions
# listed with their reasons in trio2o_core/testing/tempest.py), once
# straight at pod 1 and once through the gateway, on the local cloud;
# prints the counts per module side by side and every test whose result
# differs, and keeps the logs and the comparison (comparison.md) in the
# work directory given as the first argument (a new temporary one
# otherwise). Exits 1 when a test passing at the pod fails through the
# gateway. CI runs the part of these that fits its time
# (tests/integration/test_tempest.py).
set -euo pipefail
# shellcheck source=tools/venv.sh
source "$(dirname "$0")/venv.sh" "[test]"
.venv/bin/python -m trio2o_core.testing.podenv.build
args=(--target both --suites full)
if [ $# -gt 0 ]; then
    args+=(--workdir "$1")
fi
exec .venv/bin/python -m trio2o_core.testing.tempest "${args[@]}"

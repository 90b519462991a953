#!/usr/bin/env bash
# Install Trio2o with its test dependencies in ./.venv, build the pod
# environment (first run only), then run the style and type checks and
# every test.
# Arguments are passed to pytest.
set -euo pipefail
# shellcheck source=tools/venv.sh
source "$(dirname "$0")/venv.sh" "[test]"
.venv/bin/python -m trio2o_core.testing.podenv.build
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest -p no:cacheprovider tests \
    examples/trio2o-example-plugins/tests "$@"

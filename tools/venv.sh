# shellcheck shell=bash
# Shared by tools/demo.sh, tools/test.sh and tools/tempest-full.sh:
# create ./.venv (once) and install Trio2o into it with the given extras.
# pip's output goes to .venv/install.log and is shown only when the
# install fails.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
echo "installing Trio2o${1:+ with $1} into .venv (log: .venv/install.log)"
started=$SECONDS
if ! { .venv/bin/python -m pip install --upgrade pip &&
       .venv/bin/python -m pip install -e ".$1"; } > .venv/install.log 2>&1; then
    tail -n 40 .venv/install.log >&2
    echo "installing Trio2o failed (log: .venv/install.log)" >&2
    exit 1
fi
echo "installed in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Install Trio2o in ./.venv and run trio2o-demo: a local OpenStack of
# real pods (Keystone, two Nova and two Cinder pods, Glance) behind the
# gateway on SQLite. Arguments are passed to trio2o-demo.
set -euo pipefail
# shellcheck source=tools/venv.sh
source "$(dirname "$0")/venv.sh" ""
exec .venv/bin/trio2o-demo "$@"

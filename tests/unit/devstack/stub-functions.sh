# shellcheck shell=bash
# A stand-in for DevStack's function library: each function the plugin
# may call records its arguments in $STUB_LOG; iniset writes real ini
# files, database_connection_url names a SQLite file, so the commands the
# plugin runs (trio2o-manage) run for real. Anything else is undefined,
# and calling it fails the run.

ENABLED_SERVICES=""

function stub_log {
    echo "$*" >> "$STUB_LOG"
}

function enable_service {
    ENABLED_SERVICES="$ENABLED_SERVICES $*"
}

function disable_service {
    ENABLED_SERVICES=" ${ENABLED_SERVICES//" $1"/} "
}

function is_service_enabled {
    [[ " $ENABLED_SERVICES " == *" $1 "* ]]
}

function get_python_exec_prefix {
    echo "$STUB_BIN"
}

function iniset {
    stub_log iniset "$@"
    python3 - "$@" <<'PY'
import configparser, sys
path, section, key, value = sys.argv[1:5]
parser = configparser.RawConfigParser()
parser.optionxform = str
parser.read(path)
if section != 'DEFAULT' and not parser.has_section(section):
    parser.add_section(section)
parser.set(section, key, value)
with open(path, 'w') as f:
    parser.write(f)
PY
}

function database_connection_url {
    echo "sqlite:///$STUB_DATA/$1.sqlite"
}

function recreate_database {
    stub_log recreate_database "$@"
    rm -f "$STUB_DATA/$1.sqlite"
}

function write_uwsgi_config {
    stub_log write_uwsgi_config "$@"
    printf '[uwsgi]\nmodule = %s\n' "$2" > "$1"
}

function which {
    echo "/usr/bin/$1"
}

for name in echo_summary setup_develop create_service_user sudo \
        configure_keystone_authtoken_middleware get_or_create_endpoint \
        run_process stop_process remove_uwsgi_config; do
    eval "function $name { stub_log $name \"\$@\"; }"
done

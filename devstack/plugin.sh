#!/bin/bash
# DevStack plugin of Trio2o: installs the gateway, configures it against
# the DevStack database and Keystone, runs it under uWSGI behind the web
# server the way DevStack runs API services, registers its endpoints as
# the top region's and the pods as regions behind it.

function trio2o_url {
    echo "$SERVICE_PROTOCOL://$SERVICE_HOST$TRIO2O_URL_PATH"
}

function install_trio2o {
    setup_develop "$TRIO2O_DIR"
}

function create_trio2o_accounts {
    create_service_user "trio2o" "admin"
}

function configure_trio2o {
    sudo install -d -o "$STACK_USER" "$TRIO2O_CONF_DIR" "$TRIO2O_STATE_PATH"
    cp "$TRIO2O_DIR/etc/trio2o/api-paste.ini" "$TRIO2O_CONF_DIR/"
    iniset "$TRIO2O_CONF" DEFAULT auth_strategy keystone
    iniset "$TRIO2O_CONF" DEFAULT enabled_services "$TRIO2O_SERVICES"
    iniset "$TRIO2O_CONF" DEFAULT state_path "$TRIO2O_STATE_PATH"
    iniset "$TRIO2O_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$TRIO2O_CONF" api paste_config "$TRIO2O_CONF_DIR/api-paste.ini"
    iniset "$TRIO2O_CONF" api public_url "$(trio2o_url)"
    iniset "$TRIO2O_CONF" database connection "$(database_connection_url trio2o)"
    iniset "$TRIO2O_CONF" healthcheck backends trio2o
    configure_keystone_authtoken_middleware "$TRIO2O_CONF" trio2o
    write_uwsgi_config "$TRIO2O_UWSGI_CONF" "$TRIO2O_UWSGI" "$TRIO2O_URL_PATH" "" "trio2o-api"
    iniset "$TRIO2O_UWSGI_CONF" uwsgi env "TRIO2O_CONFIG_FILES=$TRIO2O_CONF"
}

function init_trio2o {
    recreate_database trio2o
    "$TRIO2O_BIN_DIR/trio2o-manage" --config-file "$TRIO2O_CONF" db sync
}

function register_trio2o_pods {
    local pod region az pod_az
    for pod in $TRIO2O_PODS; do
        IFS=: read -r region az pod_az <<< "$pod"
        "$TRIO2O_BIN_DIR/trio2o-manage" --config-file "$TRIO2O_CONF" \
            pod create --name "$region" --az-name "$az" \
            --pod-az-name "${pod_az:-nova}"
    done
}

function register_trio2o_endpoints {
    local url
    url=$(trio2o_url)
    get_or_create_endpoint compute "$TRIO2O_REGION_NAME" "$url/compute/v2.1"
    get_or_create_endpoint volumev3 "$TRIO2O_REGION_NAME" "$url/volume/v3"
    get_or_create_endpoint block-storage "$TRIO2O_REGION_NAME" "$url/volume/v3"
    get_or_create_endpoint image "$TRIO2O_REGION_NAME" "$url/image"
}

function start_trio2o {
    run_process trio2o-api "$(which uwsgi) --procname-prefix trio2o --ini $TRIO2O_UWSGI_CONF"
}

function stop_trio2o {
    stop_process trio2o-api
    remove_uwsgi_config "$TRIO2O_UWSGI_CONF" "trio2o-api"
}

function cleanup_trio2o {
    sudo rm -rf "$TRIO2O_CONF_DIR" "$TRIO2O_STATE_PATH"
}

if is_service_enabled trio2o-api; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Trio2o"
        install_trio2o
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Trio2o"
        create_trio2o_accounts
        configure_trio2o
        init_trio2o
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Trio2o"
        register_trio2o_pods
        register_trio2o_endpoints
        start_trio2o
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_trio2o
    fi
    if [[ "$1" == "clean" ]]; then
        cleanup_trio2o
    fi
fi

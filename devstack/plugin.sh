#!/bin/bash
# shellcheck shell=bash
# DevStack plugin for Blazar, the reservation service. In local.conf:
#
#   [[local|localrc]]
#   enable_plugin blazar https://opendev.org/openstack/blazar
#
# DevStack sources this file once per phase ("stack install",
# "stack post-config", "stack extra", "unstack", "clean"), after
# devstack/settings, with its own functions (iniset, run_process,
# get_or_create_endpoint...) already defined.

# ------------------------------------------------------------ helpers

# A console script installed with Blazar, in DevStack's Python prefix.
function blazar_bin {
    echo "$(get_python_exec_prefix)/$1"
}

# The URL clients find in the catalog; it includes the version, as
# python-blazarclient expects.
function blazar_endpoint {
    if [[ $BLAZAR_USE_UWSGI == True ]]; then
        echo "$BLAZAR_SERVICE_PROTOCOL://$BLAZAR_SERVICE_HOST/reservation/v1"
    else
        echo "$BLAZAR_SERVICE_PROTOCOL://$BLAZAR_SERVICE_HOST:$BLAZAR_SERVICE_PORT/v1"
    fi
}

function blazar_healthcheck_url {
    local endpoint
    endpoint=$(blazar_endpoint)
    echo "${endpoint%/v1}/healthcheck"
}

# [manager] plugins: the host plugin, plus the optional plugins that are
# installed (asked of the entry points, as the manager will load them).
function blazar_enabled_plugins {
    local installed name plugins=$BLAZAR_HOST_PLUGIN
    installed=$("$PYTHON" -c 'from importlib import metadata
print(" ".join(ep.name for ep in
               metadata.entry_points(group="blazar.resource.plugins")))')
    for name in $BLAZAR_OPTIONAL_PLUGINS; do
        if [[ " $installed " == *" $name "* ]]; then
            plugins+=",$name"
        fi
    done
    echo "$plugins"
}

# Credentials of the blazar service user, as keystoneauth's password
# plugin reads them from SECTION of FILE.
function blazar_service_credentials {
    local file=$1 section=$2
    iniset "$file" "$section" auth_type password
    iniset "$file" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$file" "$section" username blazar
    iniset "$file" "$section" password "$SERVICE_PASSWORD"
    iniset "$file" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$file" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$file" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}

# ------------------------------------------------------------ install

function install_blazar {
    setup_develop "$BLAZAR_DIR"
    # The "openstack reservation ..." commands.
    pip_install python-blazarclient
}

# ------------------------------------------------------------ configure

function create_blazar_accounts {
    # admin: Blazar moves hosts between Nova aggregates and reads every
    # project's servers.
    create_service_user blazar admin
    get_or_create_service blazar reservation "OpenStack Reservation Service"
    get_or_create_endpoint reservation "$REGION_NAME" "$(blazar_endpoint)"
}

function create_blazar_database {
    recreate_database blazar
    "$(blazar_bin blazar-db-manage)" --config-file "$BLAZAR_CONF_FILE" \
        upgrade head
}

function configure_blazar {
    sudo install -d -o "$STACK_USER" "$BLAZAR_CONF_DIR"
    local conf=$BLAZAR_CONF_FILE
    iniset "$conf" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$conf" DEFAULT auth_strategy keystone
    iniset_rpc_backend blazar "$conf"
    iniset "$conf" database connection "$(database_connection_url blazar)"
    configure_keystone_authtoken_middleware "$conf" blazar
    iniset "$conf" oslo_policy policy_file "$BLAZAR_POLICY_FILE"

    iniset "$conf" manager plugins "$(blazar_enabled_plugins)"
    iniset "$conf" physical:host inventory "$BLAZAR_HOST_INVENTORY"
    iniset "$conf" nova aggregate_freepool_name "$BLAZAR_FREEPOOL_NAME"
    local section
    for section in nova placement; do
        blazar_service_credentials "$conf" "$section"
        iniset "$conf" "$section" region_name "$REGION_NAME"
    done

    iniset "$conf" api host "$BLAZAR_SERVICE_LISTEN_ADDRESS"
    iniset "$conf" api port "$BLAZAR_SERVICE_PORT"
    if [[ $BLAZAR_USE_UWSGI == True ]]; then
        configure_blazar_uwsgi
    fi
}

function configure_blazar_uwsgi {
    write_uwsgi_config "$BLAZAR_UWSGI_CONF" "$BLAZAR_UWSGI_APP" \
        "/reservation" "" "blazar-api"
    # The WSGI module reads the configuration files named here.
    iniset "$BLAZAR_UWSGI_CONF" uwsgi env \
        "BLAZAR_CONFIG_FILES=$BLAZAR_CONF_FILE"
    # SIGTERM (systemctl stop) lets requests in flight finish.
    iniset "$BLAZAR_UWSGI_CONF" uwsgi hook-master-start \
        "unix_signal:15 gracefully_kill_them_all"
}

# nova-scheduler must run Blazar's filter, or reserved hosts take any
# boot and free hosts take reserved ones.
function configure_nova_for_blazar {
    local filters
    filters=$(iniget_multiline "$NOVA_CONF" filter_scheduler available_filters)
    if [[ -z $filters ]]; then
        # Adding a value would otherwise drop Nova's own filters.
        iniadd "$NOVA_CONF" filter_scheduler available_filters \
            nova.scheduler.filters.all_filters
    fi
    if [[ $filters != *"$BLAZAR_NOVA_FILTER"* ]]; then
        iniadd "$NOVA_CONF" filter_scheduler available_filters \
            "$BLAZAR_NOVA_FILTER"
    fi
    iniset "$NOVA_CONF" filter_scheduler enabled_filters \
        "$(blazar_enabled_filters)"

    iniset "$NOVA_CONF" "blazar:physical:host" aggregate_freepool_name \
        "$BLAZAR_FREEPOOL_NAME"
    # The filter also asks Blazar whether a reservation's lease is active.
    iniset "$NOVA_CONF" blazar url "$(blazar_endpoint)"
    blazar_service_credentials "$NOVA_CONF" blazar
}

# Nova's enabled filters plus Blazar's (and, for instance reservations,
# the extra-specs filter that places their flavors), each once.
function blazar_enabled_filters {
    local filters wanted
    filters=$(iniget "$NOVA_CONF" filter_scheduler enabled_filters)
    filters=${filters:-$BLAZAR_NOVA_DEFAULT_FILTERS}
    wanted=BlazarFilter
    if [[ $(blazar_enabled_plugins) == *virtual.instance.plugin* ]]; then
        wanted="AggregateInstanceExtraSpecsFilter $wanted"
    fi
    local name
    for name in $wanted; do
        if [[ ",$filters," != *",$name,"* ]]; then
            filters+=",$name"
        fi
    done
    echo "$filters"
}

# ------------------------------------------------------------ run

function start_blazar {
    if [[ $BLAZAR_USE_UWSGI == True ]]; then
        run_process blazar-api \
            "$(blazar_bin uwsgi) --procname-prefix blazar-api --ini $BLAZAR_UWSGI_CONF"
    else
        run_process blazar-api \
            "$(blazar_bin blazar-api) --config-file $BLAZAR_CONF_FILE"
    fi
    run_process blazar-manager \
        "$(blazar_bin blazar-manager) --config-file $BLAZAR_CONF_FILE"
    if ! wait_for_service "$SERVICE_TIMEOUT" "$(blazar_healthcheck_url)"; then
        die $LINENO "blazar-api did not start"
    fi
}

# Enrolled hosts wait in this aggregate; Blazar expects it to exist.
function create_blazar_freepool {
    if ! openstack --os-cloud devstack-admin aggregate show \
            "$BLAZAR_FREEPOOL_NAME" >/dev/null 2>&1; then
        openstack --os-cloud devstack-admin aggregate create \
            "$BLAZAR_FREEPOOL_NAME"
    fi
}

function stop_blazar {
    stop_process blazar-api
    stop_process blazar-manager
}

function cleanup_blazar {
    if [[ $BLAZAR_USE_UWSGI == True ]]; then
        remove_uwsgi_config "$BLAZAR_UWSGI_CONF" blazar-api
    fi
    sudo rm -rf "$BLAZAR_CONF_DIR"
}

# ------------------------------------------------------------ phases

if is_service_enabled blazar; then
    if [[ $1 == stack && $2 == install ]]; then
        echo_summary "Installing Blazar"
        install_blazar
    elif [[ $1 == stack && $2 == post-config ]]; then
        echo_summary "Configuring Blazar"
        configure_blazar
        if is_service_enabled keystone; then
            create_blazar_accounts
        fi
        create_blazar_database
        if is_service_enabled n-sch; then
            configure_nova_for_blazar
        fi
    elif [[ $1 == stack && $2 == extra ]]; then
        echo_summary "Starting Blazar"
        start_blazar
        if is_service_enabled n-api; then
            create_blazar_freepool
        fi
    fi

    if [[ $1 == unstack ]]; then
        stop_blazar
    fi

    if [[ $1 == clean ]]; then
        cleanup_blazar
    fi
fi

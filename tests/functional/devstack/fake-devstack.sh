# shellcheck shell=bash
# A stand-in for DevStack, for tests/functional/test_devstack.py: the
# variables and functions devstack/plugin.sh uses, defined the way DevStack
# defines them where that can be done here for real (ini files, the service
# list, starting and stopping processes, waiting for a URL), recording the
# rest (Keystone, database server, pip, the openstack client) in $FAKE_LOG.
#
# Set by the test: FAKE_DIR (scratch directory), FAKE_LOG, PYTHON (the
# Python whose prefix holds Blazar's commands), FAKE_DATABASE_URL,
# FAKE_TRANSPORT_URL, FAKE_START_PROCESSES (1: run_process really starts
# them), and any setting to override.

#
# DevStack's globals below are read by the plugin, not here:
# shellcheck disable=SC2034

FAKE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DEST=$FAKE_DIR/opt/stack
STACK_USER=$(id -un)
SERVICE_HOST=127.0.0.1
SERVICE_LISTEN_ADDRESS=127.0.0.1
SERVICE_PROTOCOL=http
SERVICE_PASSWORD=service.secret
SERVICE_PROJECT_NAME=service
SERVICE_DOMAIN_NAME=Default
SERVICE_TIMEOUT=60
REGION_NAME=RegionOne
KEYSTONE_SERVICE_URI=http://127.0.0.1/identity
NOVA_CONF=$FAKE_DIR/etc/nova/nova.conf
ENABLE_DEBUG_LOG_LEVEL=True
ENABLED_SERVICES=${ENABLED_SERVICES:-key,mysql,rabbit,n-api,n-sch,n-cpu}

function fake_record {
    echo "$*" >>"$FAKE_LOG"
}

# ------------------------------------------------------------ real

# DevStack's ini functions edit files line by line with sed; these do it
# with awk: every line of OPTION in SECTION gives way to one line per value,
# where the first one was (or at the end of the section), creating the
# file and the section when missing. Names and values go through the
# environment, so awk leaves backslashes alone. (The awk program is in
# single quotes on purpose.)
# shellcheck disable=SC2016
FAKE_INI_AWK='
    function is_header(line) { return line ~ /^[ \t]*\[.*\][ \t]*$/ }
    function is_option(line) {
        sub(/^[ \t]+/, "", line)
        return index(line, ENVIRON["INI_OPTION"]) == 1 &&
            substr(line, length(ENVIRON["INI_OPTION"]) + 1) ~ /^[ \t]*=/
    }
    function value(line) { sub(/^[^=]*=[ \t]*/, "", line); return line }
    function emit(   n, parts, i) {
        n = split(ENVIRON["INI_VALUES"], parts, "\n")
        for (i = 1; i <= n; i++) print ENVIRON["INI_OPTION"] " = " parts[i]
        done = 1
    }
    # Blank lines are held back, so that a value added at the end of a
    # section goes before the blank lines that end it.
    /^[ \t]*$/ { blank = blank $0 "\n"; next }
    is_header($0) {
        if (mode == "set" && inside && !done) emit()
        inside = ($0 == "[" ENVIRON["INI_SECTION"] "]")
        seen = seen || inside
    }
    { printf "%s", (mode == "set" ? blank : ""); blank = "" }
    inside && is_option($0) && mode == "get" {
        if (!count++) first = value($0)
        values = values (count > 1 ? " " : "") value($0)
    }
    inside && is_option($0) && mode == "set" { if (!done) emit(); next }
    mode == "set" { print }
    END {
        if (mode == "get") { print (all ? values : first); exit }
        if (seen && !done) emit()
        printf "%s", blank
        if (!seen) {
            if (NR) print ""
            print "[" ENVIRON["INI_SECTION"] "]"
            emit()
        }
    }'

# fake_ini_set FILE SECTION OPTION VALUE...
function fake_ini_set {
    local file=$1 values
    mkdir -p "$(dirname "$file")"
    touch "$file"
    values=$(printf '%s\n' "${@:4}")
    INI_SECTION=$2 INI_OPTION=$3 INI_VALUES=${values%$'\n'} \
        awk -v mode=set "$FAKE_INI_AWK" "$file" >"$file.new"
    mv "$file.new" "$file"
}

function iniset {
    [[ $1 == -sudo ]] && shift
    fake_ini_set "$1" "$2" "$3" "${*:4}"
}

function iniget {
    INI_SECTION=$2 INI_OPTION=$3 awk -v mode=get "$FAKE_INI_AWK" "$1"
}

function iniget_multiline {
    INI_SECTION=$2 INI_OPTION=$3 awk -v mode=get -v all=1 "$FAKE_INI_AWK" "$1"
}

function iniadd {
    [[ $1 == -sudo ]] && shift
    local existing
    existing=$(iniget_multiline "$1" "$2" "$3" 2>/dev/null || true)
    # Like DevStack's, existing values are split on whitespace.
    # shellcheck disable=SC2086
    fake_ini_set "$1" "$2" "$3" $existing "${@:4}"
}

function trueorfalse {
    local default=$1 value=${!2:-}
    case ${value,,} in
        1 | yes | true | on) echo True ;;
        0 | no | false | off) echo False ;;
        *) echo "$default" ;;
    esac
}

function enable_service {
    local service
    for service in "$@"; do
        if ! is_service_enabled "$service"; then
            ENABLED_SERVICES+=",$service"
        fi
    done
}

function is_service_enabled {
    local service
    for service in "$@"; do
        # DevStack's is_keystone_enabled: the service is listed as "key".
        [[ $service == keystone ]] && service=key
        [[ ,$ENABLED_SERVICES, == *,$service,* ]] && return 0
    done
    return 1
}

function get_python_exec_prefix {
    dirname "$PYTHON"
}

function sudo {
    "$@"
}

function echo_summary {
    echo "$*"
}

function die {
    shift
    echo "die: $*" >&2
    exit 1
}

function database_connection_url {
    echo "$FAKE_DATABASE_URL"
}

function iniset_rpc_backend {
    iniset "$2" "${3:-DEFAULT}" transport_url "$FAKE_TRANSPORT_URL"
}

function configure_keystone_authtoken_middleware {
    local file=$1 user=$2 section=${3:-keystone_authtoken}
    iniset "$file" "$section" auth_type password
    iniset "$file" "$section" interface public
    iniset "$file" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$file" "$section" username "$user"
    iniset "$file" "$section" password "$SERVICE_PASSWORD"
    iniset "$file" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$file" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$file" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$file" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
}

# What DevStack writes, minus the Apache front end and its socket.
function write_uwsgi_config {
    local conf=$1 module=$2 url=$3 name=$5
    fake_record write_uwsgi_config "$conf" "$module" "$url" "$name"
    iniset "$conf" uwsgi module "$module"
    iniset "$conf" uwsgi master true
    iniset "$conf" uwsgi processes 2
    iniset "$conf" uwsgi threads 1
    iniset "$conf" uwsgi enable-threads true
    iniset "$conf" uwsgi lazy-apps true
}

function remove_uwsgi_config {
    fake_record remove_uwsgi_config "$@"
    rm -f "$1"
}

function run_process {
    local name=$1 command=$2
    fake_record run_process "$name" "$command"
    if [[ ${FAKE_START_PROCESSES:-0} == 1 ]]; then
        # Word splitting of $command is what DevStack's unit file does.
        # shellcheck disable=SC2086
        $command >"$FAKE_DIR/$name.log" 2>&1 &
        echo $! >"$FAKE_DIR/$name.pid"
    fi
}

function stop_process {
    local name=$1 pid_file=$FAKE_DIR/$1.pid
    fake_record stop_process "$name"
    if [[ -f $pid_file ]]; then
        local pid deadline=$((SECONDS + SERVICE_TIMEOUT))
        pid=$(<"$pid_file")
        kill -TERM "$pid" 2>/dev/null || true
        # Started by an earlier phase's shell: not a child, poll it.
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.2
        done
        rm -f "$pid_file"
    fi
}

function wait_for_service {
    local timeout=$1 url=$2
    fake_record wait_for_service "$url"
    [[ ${FAKE_START_PROCESSES:-0} == 1 ]] || return 0
    "$PYTHON" - "$timeout" "$url" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(sys.argv[2], timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
EOF
}

# ------------------------------------------------------------ recorded

function setup_develop {
    fake_record setup_develop "$@"
}

function pip_install {
    fake_record pip_install "$@"
}

function create_service_user {
    fake_record create_service_user "$@"
}

function get_or_create_service {
    fake_record get_or_create_service "$@"
}

function get_or_create_endpoint {
    fake_record get_or_create_endpoint "$@"
}

function recreate_database {
    fake_record recreate_database "$@"
}

# No aggregate exists yet.
function openstack {
    fake_record openstack "$@"
    [[ " $* " != *" aggregate show "* ]]
}

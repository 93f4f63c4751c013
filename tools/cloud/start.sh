#!/usr/bin/env bash
# Start the Blazar test cloud: real Keystone, Placement, Glance, Neutron (API
# only) and Nova (API, conductor, scheduler, fake-driver computes), installed
# from PyPI into a venv outside the repository and served on 127.0.0.1.
# Nova's scheduler runs this repository's BlazarFilter (blazar.nova.filter).
#
#   tools/cloud/start.sh     install if needed, configure, start, wait until usable
#   tools/cloud/stop.sh      stop what start.sh started
#
# Idempotent: when the cloud is already up, healthy and started with the same
# settings, it exits 0 within a second. Concurrent calls serialise on a lock,
# so the second caller waits for the first and then takes that fast path.
#
# When usable it writes $BLAZAR_CLOUD_DIR/cloud.json (Keystone URL, admin and
# `blazar` service-user credentials, endpoints, compute hosts, image, freepool)
# and then the ready marker $BLAZAR_CLOUD_DIR/ready. A failed start writes
# $BLAZAR_CLOUD_DIR/failed instead, so waiters can give up early.
#
# Needs MariaDB (`mysql -uroot` works) and RabbitMQ on 127.0.0.1:5672
# (guest/guest, rabbitmqctl usable), gcc and the Python headers (uwsgi is built
# from source), curl and flock.
#
# Settings (environment, defaults in brackets):
#   BLAZAR_CLOUD_DIR [/tmp/blazar-cloud]    state, configs, logs, cloud.json
#   BLAZAR_CLOUD_VENV [$DIR/venv]           where the services are installed
#   BLAZAR_CLOUD_PYTHON [python3]           interpreter that creates the venv
#   BLAZAR_CLOUD_COMPUTES [2]               number of fake nova-computes
#   BLAZAR_CLOUD_COMPUTE_PREFIX [compute-]  their host names: compute-1, ...
#   BLAZAR_CLOUD_COMPUTE_DRIVER [blazar_cloud_virt.SmallNode]  8 VCPU / 16 GiB
#                       (fake.FakeDriverWithoutFakeNodes: 1000 VCPU / 800 GB)
#   BLAZAR_CLOUD_BLAZAR_URL [http://127.0.0.1:1234/v1]  Blazar API for the filter
#                       and the catalog's `reservation` endpoint
#   BLAZAR_CLOUD_FILTER_TIMEOUT [2]         seconds the filter waits for Blazar
#   BLAZAR_CLOUD_ENABLED_FILTERS [see below] nova [filter_scheduler] enabled_filters
#   BLAZAR_CLOUD_FRESH [1]    1: a (re)start drops the databases and state first,
#                             so every cold start is a clean cloud; 0: reuse them
#   BLAZAR_CLOUD_PORT_BASE [15000]  keystone +0, placement +10, nova +20,
#                                   glance +30, neutron +40
#   BLAZAR_CLOUD_ADMIN_PASSWORD [admin]  BLAZAR_CLOUD_SERVICE_PASSWORD [secret]
#   BLAZAR_CLOUD_MYSQL [mysql -uroot]  BLAZAR_CLOUD_DB_PREFIX [blazar_cloud_]
#   BLAZAR_CLOUD_RABBIT_VHOST [blazar-cloud]  BLAZAR_CLOUD_RABBIT_URL [guest on it]
#   BLAZAR_CLOUD_NOTIFICATIONS [messagingv2]  nova notification driver; Nova
#                       emits versioned notifications (topic versioned_notifications)
#                       on the cloud's RabbitMQ vhost unless this is noop
#   BLAZAR_CLOUD_DEBUG [false]  BLAZAR_CLOUD_API_THREADS [4]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

DIR=${BLAZAR_CLOUD_DIR:-/tmp/blazar-cloud}
VENV=${BLAZAR_CLOUD_VENV:-$DIR/venv}
BASE_PYTHON=${BLAZAR_CLOUD_PYTHON:-python3}
COMPUTES=${BLAZAR_CLOUD_COMPUTES:-2}
COMPUTE_PREFIX=${BLAZAR_CLOUD_COMPUTE_PREFIX:-compute-}
COMPUTE_DRIVER=${BLAZAR_CLOUD_COMPUTE_DRIVER:-blazar_cloud_virt.SmallNode}
BLAZAR_URL=${BLAZAR_CLOUD_BLAZAR_URL:-http://127.0.0.1:1234/v1}
FILTER_TIMEOUT=${BLAZAR_CLOUD_FILTER_TIMEOUT:-2}
ENABLED_FILTERS=${BLAZAR_CLOUD_ENABLED_FILTERS:-ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,AggregateInstanceExtraSpecsFilter,AggregateMultiTenancyIsolation,BlazarFilter}
FRESH=${BLAZAR_CLOUD_FRESH:-1}
PORT_BASE=${BLAZAR_CLOUD_PORT_BASE:-15000}
ADMIN_PASSWORD=${BLAZAR_CLOUD_ADMIN_PASSWORD:-admin}
SERVICE_PASSWORD=${BLAZAR_CLOUD_SERVICE_PASSWORD:-secret}
MYSQL=${BLAZAR_CLOUD_MYSQL:-mysql -uroot}
DB_PREFIX=${BLAZAR_CLOUD_DB_PREFIX:-blazar_cloud_}
DB_USER=blazar_cloud
DB_PASSWORD=blazar_cloud
RABBIT_VHOST=${BLAZAR_CLOUD_RABBIT_VHOST:-blazar-cloud}
RABBIT_URL=${BLAZAR_CLOUD_RABBIT_URL:-rabbit://guest:guest@127.0.0.1:5672/$RABBIT_VHOST}
NOTIFICATIONS=${BLAZAR_CLOUD_NOTIFICATIONS:-messagingv2}
DEBUG=${BLAZAR_CLOUD_DEBUG:-false}
API_THREADS=${BLAZAR_CLOUD_API_THREADS:-4}
FREEPOOL=freepool
IMAGE_NAME=tiny
LOCK_WAIT=${BLAZAR_CLOUD_LOCK_WAIT:-1200}

# Pinned by constraints.txt (a `pip freeze` of a venv that passed the smoke test).
PACKAGES=(keystone==30.0.0 openstack-placement==16.0.0 nova==34.0.0 glance==33.0.0
          neutron==29.0.0 python-openstackclient python-novaclient PyMySQL uwsgi)

HOST=127.0.0.1
KEYSTONE_PORT=$((PORT_BASE + 0))
PLACEMENT_PORT=$((PORT_BASE + 10))
NOVA_PORT=$((PORT_BASE + 20))
GLANCE_PORT=$((PORT_BASE + 30))
NEUTRON_PORT=$((PORT_BASE + 40))
KEYSTONE_URL=http://$HOST:$KEYSTONE_PORT/v3

ETC=$DIR/etc
STATE=$DIR/state
RUN=$DIR/run
LOGS=$DIR/logs
READY=$DIR/ready
FAILED=$DIR/failed
CLOUD_JSON=$DIR/cloud.json
SETTINGS=$RUN/settings
CTL=$HERE/lib/blazar_cloud_ctl.py
DATABASES=(keystone placement glance neutron nova_api nova nova_cell0)

# Services must not write __pycache__ into the repository (the filter is
# imported from it). PYTHONDONTWRITEBYTECODE still uses the venv's compiled
# files; PYTHONPYCACHEPREFIX would ignore them and slow every start by minutes.
export PYTHONDONTWRITEBYTECODE=1

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1fs", b - a }'; }
say() { echo "[$(elapsed)] $*"; }
die() {
  echo "[$(elapsed)] ERROR: $*" >&2
  printf '%s\n' "$*" >"$FAILED"
  exit 1
}
on_exit() {
  local rc=$?
  if [ "$rc" != 0 ] && [ ! -e "$FAILED" ]; then
    printf 'start.sh exited with status %s; see %s\n' "$rc" "$LOGS" >"$FAILED"
  fi
}

compute_names() {
  local i
  for ((i = 1; i <= COMPUTES; i++)); do echo "$COMPUTE_PREFIX$i"; done
}

# nova-scheduler imports BlazarFilter once, when it starts: a checkout with
# another version of the filter needs the cloud restarted.
filter_digest() {
  sha256sum "$REPO/blazar/nova/filter.py" | cut -c1-16
}

# Everything that changes what start.sh would build; a cloud started with other
# settings is not "already running" for this call.
settings_fingerprint() {
  printf '%s\n' "venv=$VENV" "computes=$COMPUTES" "prefix=$COMPUTE_PREFIX" \
    "driver=$COMPUTE_DRIVER" "blazar_url=$BLAZAR_URL" "timeout=$FILTER_TIMEOUT" \
    "filters=$ENABLED_FILTERS" "ports=$PORT_BASE" "debug=$DEBUG" \
    "notifications=$NOTIFICATIONS" "filter=$(filter_digest)" \
    "passwords=$(printf '%s:%s' "$ADMIN_PASSWORD" "$SERVICE_PASSWORD" | sha256sum | cut -c1-16)"
}

expected_processes() {
  local i
  echo keystone placement glance-api neutron-api nova-api nova-conductor nova-scheduler
  for ((i = 1; i <= COMPUTES; i++)); do echo "nova-compute-$i"; done
}

pid_alive() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

answers() { curl -s -o /dev/null --max-time 2 "$1"; }

UNHEALTHY=""
already_healthy() {  # sets UNHEALTHY to the reason when it fails
  local name
  [ -e "$READY" ] || { UNHEALTHY="no ready marker"; return 1; }
  [ -e "$CLOUD_JSON" ] || { UNHEALTHY="no cloud.json"; return 1; }
  [ "$(cat "$SETTINGS" 2>/dev/null)" = "$(settings_fingerprint)" ] ||
    { UNHEALTHY="running with other settings"; return 1; }
  for name in $(expected_processes); do
    pid_alive "$name" || { UNHEALTHY="$name is not running"; return 1; }
  done
  answers "$KEYSTONE_URL" || { UNHEALTHY="keystone does not answer"; return 1; }
  answers "http://$HOST:$NOVA_PORT/" || { UNHEALTHY="nova-api does not answer"; return 1; }
}

any_started() {
  local f
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
  done
  return 1
}

# ------------------------------------------------------------------ install

install_stamp() {
  { printf '%s\n' "${PACKAGES[@]}"; cat "$HERE/constraints.txt"; } | sha256sum | cut -c1-16
}

install_services() {
  local stamp=$VENV/.blazar-cloud-installed want
  want=$(install_stamp)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "pip install into $VENV (about 2.5 min for a new venv) -> $LOGS/install.log"
    command -v gcc >/dev/null || die "gcc is missing (uwsgi compiles from source)"
    [ -x "$VENV/bin/python" ] || "$BASE_PYTHON" -m venv "$VENV"
    {
      "$VENV/bin/pip" install -U pip setuptools wheel &&
      "$VENV/bin/pip" install -c "$HERE/constraints.txt" "${PACKAGES[@]}"
    } >"$LOGS/install.log" 2>&1 || die "pip install failed, see $LOGS/install.log"
    echo "$want" >"$stamp"
    say "installed"
  fi
  local site
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  # The repository root (for blazar.nova.filter) and our shims on sys.path.
  # Not part of the settings fingerprint (the filter's content is): checkouts
  # of this repository with the same filter share one cloud.
  printf '%s\n' "$REPO" "$HERE/lib" >"$site/blazar-cloud.pth"
  # Nova imports compute drivers only from the nova.virt package.
  cp "$HERE/lib/blazar_cloud_virt.py" "$site/nova/virt/blazar_cloud_virt.py"
}

# ------------------------------------------------------------------ backends

db_url() { echo "mysql+pymysql://$DB_USER:$DB_PASSWORD@127.0.0.1/$DB_PREFIX$1?charset=utf8"; }

prepare_backends() {
  local d h
  if [ "$FRESH" = 1 ]; then
    say "fresh cloud: dropping the $DB_PREFIX* databases, vhost $RABBIT_VHOST, $ETC, $STATE"
    for d in "${DATABASES[@]}"; do $MYSQL -e "DROP DATABASE IF EXISTS \`$DB_PREFIX$d\`"; done
    rabbitmqctl -q delete_vhost "$RABBIT_VHOST" >/dev/null 2>&1 || true
    rm -rf "$ETC" "$STATE"
  fi
  for h in 127.0.0.1 localhost; do
    $MYSQL -e "CREATE USER IF NOT EXISTS '$DB_USER'@'$h' IDENTIFIED BY '$DB_PASSWORD'"
  done
  for d in "${DATABASES[@]}"; do
    $MYSQL -e "CREATE DATABASE IF NOT EXISTS \`$DB_PREFIX$d\` CHARACTER SET utf8mb4;
      GRANT ALL ON \`$DB_PREFIX$d\`.* TO '$DB_USER'@'127.0.0.1';
      GRANT ALL ON \`$DB_PREFIX$d\`.* TO '$DB_USER'@'localhost';"
  done
  if [ "$RABBIT_VHOST" != / ]; then
    rabbitmqctl -q list_vhosts | grep -qx "$RABBIT_VHOST" || rabbitmqctl -q add_vhost "$RABBIT_VHOST"
    rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" guest '.*' '.*' '.*'
    # Nova declares a queue for its notifications that nobody here reads
    # (Blazar listens in pools of its own): keep only the newest.
    rabbitmqctl -q set_policy -p "$RABBIT_VHOST" --apply-to queues \
      nova-notifications '^versioned_notifications\.' '{"max-length": 1000}' >/dev/null
  fi
}

# ------------------------------------------------------------------ configs

# Password credentials of a service user, as every keystoneauth consumer reads them.
service_auth() {
  cat <<EOF
auth_type = password
auth_url = $KEYSTONE_URL
username = $1
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
EOF
}

authtoken_section() {
  printf '[keystone_authtoken]\nwww_authenticate_uri = %s\nmemcached_servers =\n' "$KEYSTONE_URL"
  service_auth "$1"
}

write_keystone_conf() {
  cat >"$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $LOGS/keystone.log
debug = $DEBUG
[database]
connection = $(db_url keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $ETC/keystone/fernet-keys
[fernet_receipts]
key_repository = $ETC/keystone/fernet-keys
[credential]
key_repository = $ETC/keystone/credential-keys
[cache]
# Without a cache one token validation costs hundreds of queries (~1 s).
enabled = true
backend = oslo_cache.dict
expiration_time = 600
EOF
}

write_placement_conf() {
  cat >"$ETC/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $LOGS/placement.log
debug = $DEBUG
[placement_database]
connection = $(db_url placement)
[api]
auth_strategy = keystone
$(authtoken_section placement)
EOF
}

write_glance_conf() {
  cat >"$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
log_file = $LOGS/glance-api.log
debug = $DEBUG
enabled_backends = fs:file
worker_self_reference_url = http://$HOST:$GLANCE_PORT
image_cache_dir = $STATE/glance/cache
[database]
connection = $(db_url glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $STATE/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks
$(authtoken_section glance)
[paste_deploy]
flavor = keystone
config_file = $VENV/etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $STATE/glance/lock
EOF
}

write_neutron_conf() {
  # API only: ML2 without mechanism drivers, no agents. Servers boot with
  # networks='none'; Nova still needs Neutron for security groups and ports.
  cat >"$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
log_file = $LOGS/neutron-api.log
debug = $DEBUG
core_plugin = ml2
# The router plugin imports the port-forwarding model that port listings touch.
service_plugins = router
auth_strategy = keystone
transport_url = $RABBIT_URL
api_paste_config = $VENV/etc/neutron/api-paste.ini
state_path = $STATE/neutron
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = $(db_url neutron)
$(authtoken_section neutron)
[oslo_concurrency]
lock_path = $STATE/neutron/lock
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers =
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
EOF
}

write_nova_conf() {
  cat >"$ETC/nova/nova.conf" <<EOF
[DEFAULT]
transport_url = $RABBIT_URL
my_ip = $HOST
host = controller
state_path = $STATE/nova
debug = $DEBUG
compute_driver = $COMPUTE_DRIVER
# Keep shelved servers SHELVED until an explicit shelve-offload.
shelved_offload_time = -1
graceful_shutdown_timeout = 5
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
$(authtoken_section nova)
[service_user]
send_service_user_token = true
$(service_auth nova)
[placement]
region_name = RegionOne
$(service_auth nova)
[glance]
region_name = RegionOne
[neutron]
region_name = RegionOne
$(service_auth nova)
[cinder]
os_region_name = RegionOne
[conductor]
workers = 1
[scheduler]
workers = 1
# Backstop only: start.sh maps new computes itself with discover_hosts.
discover_hosts_in_cells_interval = 10
[filter_scheduler]
available_filters = nova.scheduler.filters.all_filters
available_filters = blazar.nova.filter.BlazarFilter
enabled_filters = $ENABLED_FILTERS
[blazar]
# Read by blazar.nova.filter.BlazarFilter inside nova-scheduler.
url = $BLAZAR_URL
timeout = $FILTER_TIMEOUT
$(service_auth blazar)
[blazar:physical:host]
aggregate_freepool_name = $FREEPOOL
blazar_owner = blazar:owner
blazar_az_prefix = blazar_
[oslo_concurrency]
lock_path = $STATE/nova/lock
[vnc]
enabled = false
[oslo_messaging_notifications]
driver = $NOTIFICATIONS
[notifications]
# Blazar's manager reads the versioned ones (instance.create.end, service.update).
notification_format = versioned
EOF
  # Database access for api, conductor, scheduler and nova-manage only: a
  # compute that sees [api_database] logs "No DB access allowed" tracebacks.
  cat >"$ETC/nova/nova-db.conf" <<EOF
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
EOF
  cp "$VENV/etc/nova/api-paste.ini" "$ETC/nova/api-paste.ini"
  local i
  for ((i = 1; i <= COMPUTES; i++)); do
    mkdir -p "$STATE/nova-compute-$i"
    printf '[DEFAULT]\nhost = %s\nstate_path = %s\n' \
      "$COMPUTE_PREFIX$i" "$STATE/nova-compute-$i" >"$ETC/nova/compute-$i.conf"
  done
}

write_client_files() {
  cat >"$DIR/adminrc" <<EOF
export OS_AUTH_URL=$KEYSTONE_URL OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne
export OS_USERNAME=admin OS_PASSWORD=$ADMIN_PASSWORD OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default
EOF
  cat >"$DIR/clouds.yaml" <<EOF
clouds:
  blazar-cloud-admin:
    auth: {auth_url: "$KEYSTONE_URL", username: admin, password: "$ADMIN_PASSWORD",
           project_name: admin, user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    identity_api_version: 3
  blazar-cloud-blazar:
    auth: {auth_url: "$KEYSTONE_URL", username: blazar, password: "$SERVICE_PASSWORD",
           project_name: service, user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    identity_api_version: 3
EOF
}

write_configs() {
  mkdir -p "$ETC"/{keystone,placement,glance,neutron,nova} \
           "$STATE"/{nova/lock,neutron/lock} "$STATE"/glance/{images,staging,tasks,cache,lock}
  write_keystone_conf
  write_placement_conf
  write_glance_conf
  write_neutron_conf
  write_nova_conf
  write_client_files
}

# ------------------------------------------------------------------ processes

# Each service runs in its own session (pgid == pid): stop.sh signals exactly
# that group, which holds the service and its own workers.
launch() {
  local name=$1; shift
  # fd 9 is start.sh's lock: a service that kept it would block the next start
  ( cd "$DIR" && exec setsid "$@" >>"$LOGS/$name.out" 2>&1 </dev/null 9>&- ) &
  echo $! >"$RUN/$name.pid"
}

UWSGI=("$VENV/bin/uwsgi" --master --processes 1 --threads "$API_THREADS" --enable-threads
       --lazy-apps --die-on-term --need-app --buffer-size 65535 --home "$VENV"
       # uwsgi's http-socket closes every connection silently; say so, or
       # pooled keystoneauth connections fail with "connection reset".
       --add-header "Connection: close"
       # otherwise a worker may take 60 s to honour SIGTERM
       --worker-reload-mercy 5 --reload-mercy 5)

launch_api() {  # name port wsgi-module env-assignments...
  local name=$1 port=$2 module=$3; shift 3
  launch "$name" env "$@" "${UWSGI[@]}" --http-socket "$HOST:$port" --module "$module"
}

wait_http() {  # name url seconds
  local name=$1 url=$2 deadline=$((SECONDS + $3))
  until answers "$url"; do
    pid_alive "$name" || die "$name died, see $LOGS/$name.out and $LOGS/$name.log"
    [ "$SECONDS" -lt "$deadline" ] || die "$name does not answer on $url after $3 s"
    sleep 0.5
  done
}

ports_free() {
  local port
  for port in "$KEYSTONE_PORT" "$PLACEMENT_PORT" "$NOVA_PORT" "$GLANCE_PORT" "$NEUTRON_PORT"; do
    if answers "http://$HOST:$port/"; then
      die "port $port answers but no cloud process of ours runs; stop whatever holds it"
    fi
  done
}

ctl_step() { # fails the start if the step exits non-zero
  local log=$LOGS/setup-$1.log
  "$VENV/bin/python" "$CTL" "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; die "set-up step '$1' failed, see $log"; }
  grep -v -i -e eventlet -e '^$' "$log" || true
}

BACKGROUND=()
in_background() {  # name command...
  local name=$1; shift
  ( "$@" >"$LOGS/setup-$name.log" 2>&1 ) &
  BACKGROUND+=("$!:$name")
}
wait_background() {
  local job failed=0
  for job in "${BACKGROUND[@]}"; do
    if ! wait "${job%%:*}"; then
      echo "set-up step ${job#*:} failed:" >&2
      tail -20 "$LOGS/setup-${job#*:}.log" >&2
      failed=1
    fi
  done
  BACKGROUND=()
  [ "$failed" = 0 ] || die "database set-up failed"
}

NOVA_CTL_CONF=(--config-file "$ETC/nova/nova.conf" --config-file "$ETC/nova/nova-db.conf")

keystone_setup() {
  local km=("$VENV/bin/keystone-manage" --config-file "$ETC/keystone/keystone.conf")
  "${km[@]}" db_sync &&
  { [ -d "$ETC/keystone/fernet-keys" ] ||
    "${km[@]}" fernet_setup --keystone-user root --keystone-group root; } &&
  { [ -d "$ETC/keystone/credential-keys" ] ||
    "${km[@]}" credential_setup --keystone-user root --keystone-group root; } &&
  "${km[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KEYSTONE_URL" --bootstrap-internal-url "$KEYSTONE_URL" \
    --bootstrap-public-url "$KEYSTONE_URL"
}

nova_db_setup() {
  local nm=("$VENV/bin/nova-manage" "${NOVA_CTL_CONF[@]}")
  "${nm[@]}" api_db sync &&
  "${nm[@]}" cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)" &&
  { "${nm[@]}" cell_v2 list_cells | grep -q ' cell1 ' || "${nm[@]}" cell_v2 create_cell --name cell1; } &&
  "${nm[@]}" db sync
}

start_identity_and_migrate() {
  # Keystone is migrated alone: on two cores, running every migration at once
  # delays Keystone by half a minute, and everything else waits for Keystone.
  say "keystone: db sync and bootstrap"
  keystone_setup >"$LOGS/setup-keystone.log" 2>&1 ||
    { tail -20 "$LOGS/setup-keystone.log" >&2; die "keystone set-up failed"; }
  launch_api keystone "$KEYSTONE_PORT" keystone.wsgi.api:application \
    OS_KEYSTONE_CONFIG_FILES="$ETC/keystone/keystone.conf"
  in_background placement env OS_PLACEMENT_CONFIG_DIR="$ETC/placement" \
    "$VENV/bin/placement-manage" --config-file "$ETC/placement/placement.conf" db sync
  in_background glance "$VENV/bin/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync
  in_background neutron "$VENV/bin/neutron-db-manage" --config-file "$ETC/neutron/neutron.conf" upgrade heads
  in_background nova nova_db_setup
  wait_http keystone "$KEYSTONE_URL" 90
  say "keystone up on :$KEYSTONE_PORT; registering services"
  ctl_step register
  wait_background
  say "database migrations done"
}

start_services() {
  local i
  launch_api placement "$PLACEMENT_PORT" placement.wsgi.api:application \
    OS_PLACEMENT_CONFIG_DIR="$ETC/placement"
  launch_api glance-api "$GLANCE_PORT" glance.wsgi.api:application OS_GLANCE_CONFIG_DIR="$ETC/glance"
  launch_api neutron-api "$NEUTRON_PORT" blazar_cloud_neutron:application \
    OS_NEUTRON_CONFIG_DIR="$ETC/neutron" OS_NEUTRON_CONFIG_FILES=neutron.conf
  launch_api nova-api "$NOVA_PORT" nova.wsgi.osapi_compute:application \
    OS_NOVA_CONFIG_DIR="$ETC/nova" "OS_NOVA_CONFIG_FILES=api-paste.ini;nova.conf;nova-db.conf"
  launch nova-conductor "$VENV/bin/nova-conductor" "${NOVA_CTL_CONF[@]}" --log-file "$LOGS/nova-conductor.log"
  launch nova-scheduler "$VENV/bin/nova-scheduler" "${NOVA_CTL_CONF[@]}" --log-file "$LOGS/nova-scheduler.log"
  for ((i = 1; i <= COMPUTES; i++)); do
    launch "nova-compute-$i" "$VENV/bin/nova-compute" --config-file "$ETC/nova/nova.conf" \
      --config-file "$ETC/nova/compute-$i.conf" --log-file "$LOGS/nova-compute-$i.log"
  done
  wait_http placement "http://$HOST:$PLACEMENT_PORT/" 120
  wait_http glance-api "http://$HOST:$GLANCE_PORT/" 120
  wait_http neutron-api "http://$HOST:$NEUTRON_PORT/" 120
  wait_http nova-api "http://$HOST:$NOVA_PORT/" 120
  say "APIs up: placement :$PLACEMENT_PORT glance :$GLANCE_PORT neutron :$NEUTRON_PORT nova :$NOVA_PORT"
}

make_usable() {
  ctl_step ensure-image
  ctl_step wait-computes
  # Unmapped hosts are neither schedulable nor listed; map them now rather
  # than waiting for the scheduler's periodic discovery.
  "$VENV/bin/nova-manage" "${NOVA_CTL_CONF[@]}" cell_v2 discover_hosts \
    >"$LOGS/setup-discover.log" 2>&1 || die "discover_hosts failed, see $LOGS/setup-discover.log"
  ctl_step wait-hypervisors
  ctl_step ensure-aggregate "$FREEPOOL"
  local name
  for name in $(expected_processes); do
    pid_alive "$name" || die "$name died, see $LOGS/$name.out"
  done
}

# ------------------------------------------------------------------ main

main() {
  mkdir -p "$DIR" "$RUN" "$LOGS"
  exec 9>"$DIR/start.lock"
  if ! flock -n 9; then
    say "another start.sh is running; waiting for it (up to ${LOCK_WAIT}s)"
    flock -w "$LOCK_WAIT" 9 || { echo "start.sh: lock $DIR/start.lock still held" >&2; exit 1; }
  fi
  if already_healthy; then
    say "already running and healthy: $CLOUD_JSON"
    exit 0
  fi
  trap on_exit EXIT
  rm -f "$READY" "$FAILED"
  if any_started; then
    say "stopping the running cloud: $UNHEALTHY"
    BLAZAR_CLOUD_DIR=$DIR BLAZAR_CLOUD_VENV=$VENV "$HERE/stop.sh"
  fi
  rm -f "$RUN"/*.pid "$SETTINGS"
  ports_free

  install_services
  prepare_backends
  write_configs
  settings_fingerprint >"$SETTINGS"

  export BLAZAR_CLOUD_KEYSTONE_URL=$KEYSTONE_URL
  export BLAZAR_CLOUD_PLACEMENT_URL=http://$HOST:$PLACEMENT_PORT
  export BLAZAR_CLOUD_COMPUTE_URL=http://$HOST:$NOVA_PORT/v2.1
  export BLAZAR_CLOUD_IMAGE_URL=http://$HOST:$GLANCE_PORT
  export BLAZAR_CLOUD_NETWORK_URL=http://$HOST:$NEUTRON_PORT
  export BLAZAR_CLOUD_BLAZAR_URL=$BLAZAR_URL
  export BLAZAR_CLOUD_ADMIN_PASSWORD=$ADMIN_PASSWORD
  export BLAZAR_CLOUD_SERVICE_PASSWORD=$SERVICE_PASSWORD
  export BLAZAR_CLOUD_COMPUTE_HOSTS
  BLAZAR_CLOUD_COMPUTE_HOSTS=$(compute_names | paste -sd, -)
  export BLAZAR_CLOUD_COMPUTE_DRIVER=$COMPUTE_DRIVER
  export BLAZAR_CLOUD_FREEPOOL=$FREEPOOL
  export BLAZAR_CLOUD_RABBIT_URL=$RABBIT_URL BLAZAR_CLOUD_NOTIFICATIONS=$NOTIFICATIONS
  export BLAZAR_CLOUD_IMAGE_NAME=$IMAGE_NAME
  export BLAZAR_CLOUD_NOVA_CONF=$ETC/nova/nova.conf
  export BLAZAR_CLOUD_RUN_DIR=$RUN BLAZAR_CLOUD_LOG_DIR=$LOGS BLAZAR_CLOUD_VENV=$VENV
  export BLAZAR_CLOUD_JSON=$CLOUD_JSON BLAZAR_CLOUD_READY=$READY
  export BLAZAR_CLOUD_START_EPOCH=${T0%.*}

  start_identity_and_migrate
  start_services
  make_usable
  ctl_step publish
  say "cloud ready: $CLOUD_JSON (also $DIR/adminrc, $DIR/clouds.yaml); logs in $LOGS"
}

main "$@"

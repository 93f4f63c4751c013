# shellcheck shell=bash
# Sourced after tests/functional/devstack/fake-devstack.sh by
# tests/integration/test_devstack_cloud.py: DevStack's Keystone, database
# and openstack-client functions done for real against the test cloud
# (tools/cloud) instead of being recorded. Each still records its call.
#
# Set by the test: OS_CLIENT_CONFIG_FILE (a clouds.yaml whose
# "devstack-admin" cloud is the test cloud's admin), CLOUD_KEYSTONE_URI,
# CLOUD_SERVICE_PASSWORD, CLOUD_SERVICE_PROJECT_NAME, CLOUD_REGION_NAME,
# FAKE_DATABASE_URL.

# DevStack's globals below are read by the plugin, not here:
# shellcheck disable=SC2034
KEYSTONE_SERVICE_URI=$CLOUD_KEYSTONE_URI
SERVICE_PASSWORD=$CLOUD_SERVICE_PASSWORD
SERVICE_PROJECT_NAME=$CLOUD_SERVICE_PROJECT_NAME
REGION_NAME=$CLOUD_REGION_NAME

FAKE_BIN=$(dirname "$PYTHON")

function openstack {
    fake_record openstack "$@"
    "$FAKE_BIN/openstack" "$@"
}

function fake_admin_openstack {
    "$FAKE_BIN/openstack" --os-cloud devstack-admin "$@"
}

# DevStack's create_service_user NAME [ROLE]: the user in the service
# domain, holding ROLE in the service project.
function create_service_user {
    local name=$1 role=${2:-service}
    fake_record create_service_user "$@"
    fake_admin_openstack user create --or-show --domain "$SERVICE_DOMAIN_NAME" \
        --password "$SERVICE_PASSWORD" "$name" >/dev/null
    fake_admin_openstack role add --user "$name" \
        --user-domain "$SERVICE_DOMAIN_NAME" \
        --project "$SERVICE_PROJECT_NAME" \
        --project-domain "$SERVICE_DOMAIN_NAME" "$role"
}

function get_or_create_service {
    local name=$1 type=$2 description=$3
    fake_record get_or_create_service "$@"
    fake_admin_openstack service show "$type" -f value -c id 2>/dev/null ||
        fake_admin_openstack service create --name "$name" \
            --description "$description" -f value -c id "$type"
}

# The public endpoint of TYPE in REGION at URL, unless it is there already.
function get_or_create_endpoint {
    local type=$1 region=$2 url=$3 found
    fake_record get_or_create_endpoint "$@"
    found=$(fake_admin_openstack endpoint list --service "$type" \
        --interface public --region "$region" -f value -c URL)
    if [[ $'\n'$found$'\n' != *$'\n'$url$'\n'* ]]; then
        fake_admin_openstack endpoint create --region "$region" "$type" \
            public "$url" >/dev/null
    fi
}

# The database of $FAKE_DATABASE_URL dropped and created empty.
function recreate_database {
    fake_record recreate_database "$@"
    "$PYTHON" - "$FAKE_DATABASE_URL" <<'PY'
import sys
import sqlalchemy as sa
url = sa.engine.make_url(sys.argv[1])
server = sa.create_engine(url.set(database=''), isolation_level='AUTOCOMMIT')
with server.connect() as connection:
    connection.exec_driver_sql('DROP DATABASE IF EXISTS %s' % url.database)
    connection.exec_driver_sql('CREATE DATABASE %s' % url.database)
server.dispose()
PY
}

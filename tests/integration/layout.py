"""The test cloud's host layout, and putting it back as tools/cloud made it.

The baseline, which every test expects to start from: each nova-compute
enabled and not forced down; the freepool aggregate exists and holds no
host; nothing Blazar makes for a reservation exists in Nova, Placement or
Glance. The Blazar child providers (``blazar_<host>``) may exist, with no
inventory: Blazar keeps them once made, and nova-compute counts on them.

Tests (and the Blazars they run) leave things behind when they fail or
are killed: hosts in the freepool or in reservation aggregates, disabled
computes, reservation flavors, ``CUSTOM_RESERVATION_*`` classes and
their inventory on the Blazar child providers, snapshots, and servers of
test projects, which keep a compute from being enrolled. ``restore``
removes exactly these, recognised by Blazar's names and metadata or by
belonging to a test project; what the cloud made itself is left alone.

Call ``restore`` only holding the host-layout lock exclusively and with
no Blazar managing the computes (or one that manages none of them):
tests holding the lock in shared mode boot servers of test projects on
hosts they expect outside Blazar.
"""

import time

from novaclient import exceptions as nova_exc

# Availability zone prefix and metadata keys of the aggregates Blazar makes
# (a host reservation's, an instance reservation's) and BlazarFilter reads.
BLAZAR_ZONE_PREFIX = 'blazar_'
BLAZAR_METADATA_KEYS = ('reservation', 'blazar:owner', 'blazar:server')
# Freepools of their own that tests (the DevStack plugin's) create.
TEST_FREEPOOL_PREFIX = 'freepool-'
RESERVATION_FLAVOR_SPEC = 'aggregate_instance_extra_specs:reservation'
PROVIDER_PREFIX = 'blazar_'
RESOURCE_CLASS_PREFIX = 'CUSTOM_RESERVATION_'
# The name Blazar gives a reserved server's snapshot.
SNAPSHOT_PREFIX = 'reserved_'
# Projects tests make (tests.integration.cloud.ProjectUser prefixes).
TEST_PROJECT_PREFIXES = ('blazar-test-', 'blazar-lab-')
PLACEMENT_HEADERS = {'OpenStack-API-Version': 'placement 1.29'}
SERVER_GONE_TIMEOUT = 120
DISABLED_TRAIT = 'COMPUTE_STATUS_DISABLED'
# nova-compute's periodic resource update (every 60 s) syncs the trait
# when enabling could not reach the compute.
TRAIT_SYNC_TIMEOUT = 150


def is_blazar_aggregate(aggregate):
    """Made by Blazar (or by a test standing in for it), not the cloud."""
    return ((aggregate.availability_zone or '').startswith(
                BLAZAR_ZONE_PREFIX)
            or any(key in aggregate.metadata for key in BLAZAR_METADATA_KEYS)
            or aggregate.name.startswith(TEST_FREEPOOL_PREFIX))


def blazar_managed_hosts(nova, freepool):
    """Hosts in the freepool or in an aggregate Blazar made."""
    managed = set()
    for aggregate in nova.aggregates.list():
        if aggregate.name == freepool or is_blazar_aggregate(aggregate):
            managed.update(aggregate.hosts)
    return managed


def restore(cloud):
    """Put the cloud back to the baseline (see the module docstring)."""
    nova = cloud.nova()
    session = cloud.admin_session()
    _delete_test_servers(cloud, nova, session)
    _restore_aggregates(cloud, nova)
    # Flavors are listed with their extra specs since microversion 2.61.
    for flavor in nova.flavors.list(is_public=None):
        if RESERVATION_FLAVOR_SPEC in flavor.extra_specs:
            _delete_quietly(nova.flavors, flavor)
    _delete_reservation_inventory(cloud, session)
    _delete_snapshots(cloud, session)
    _enable_computes(cloud, nova, session)


def _delete_test_servers(cloud, nova, session):
    """Servers of test projects, and of projects deleted since."""
    projects = {project['id']: project['name'] for project in session.get(
        cloud.keystone_url + '/projects').json()['projects']}

    def of_a_test(server):
        project = projects.get(server.tenant_id)
        return project is None or project.startswith(TEST_PROJECT_PREFIXES)

    leftovers = [server for server in nova.servers.list(
        search_opts={'all_tenants': True}, limit=-1) if of_a_test(server)]
    for server in leftovers:
        _delete_quietly(nova.servers, server)
    deadline = time.monotonic() + SERVER_GONE_TIMEOUT
    while leftovers:
        leftovers = [server for server in leftovers
                     if _exists(nova.servers, server.id)]
        if leftovers and time.monotonic() > deadline:
            raise AssertionError('servers %s not deleted after %d s' % (
                [server.id for server in leftovers], SERVER_GONE_TIMEOUT))
        time.sleep(0.5)


def _restore_aggregates(cloud, nova):
    """An empty freepool; no aggregate Blazar made."""
    freepool = None
    for aggregate in nova.aggregates.list():
        if aggregate.name == cloud.freepool:
            freepool = aggregate
        if aggregate.name == cloud.freepool or is_blazar_aggregate(
                aggregate):
            for host in aggregate.hosts:
                nova.aggregates.remove_host(aggregate, host)
        if aggregate.name != cloud.freepool and is_blazar_aggregate(
                aggregate):
            _delete_quietly(nova.aggregates, aggregate)
    if freepool is None:
        nova.aggregates.create(cloud.freepool, None)


def _delete_reservation_inventory(cloud, session):
    """Reservation classes' inventory on the Blazar child providers, then
    the classes. The providers stay: nova-compute caches its provider
    tree, children included, and fails every build on its host while a
    cached provider is missing."""
    placement = cloud.endpoints['placement'] + '/resource_providers'
    providers = session.get(placement, headers=PLACEMENT_HEADERS).json()
    for provider in providers['resource_providers']:
        if not (provider['name'].startswith(PROVIDER_PREFIX)
                and provider['parent_provider_uuid']):
            continue
        inventories = '%s/%s/inventories' % (placement, provider['uuid'])
        for name in session.get(inventories, headers=PLACEMENT_HEADERS
                                ).json()['inventories']:
            if name.startswith(RESOURCE_CLASS_PREFIX):
                _delete_if_present(session, inventories + '/' + name,
                                   headers=PLACEMENT_HEADERS)
    classes = session.get(cloud.endpoints['placement'] + '/resource_classes',
                          headers=PLACEMENT_HEADERS).json()
    for resource_class in classes['resource_classes']:
        if resource_class['name'].startswith(RESOURCE_CLASS_PREFIX):
            _delete_if_present(session, cloud.endpoints['placement']
                               + '/resource_classes/'
                               + resource_class['name'],
                               headers=PLACEMENT_HEADERS)


def _delete_snapshots(cloud, session):
    glance = cloud.endpoints['image']
    snapshots, page = [], '/v2/images'
    while page:
        listing = session.get(glance + page).json()
        snapshots += [image['id'] for image in listing['images']
                      if (image['name'] or '').startswith(SNAPSHOT_PREFIX)]
        page = listing.get('next')
    for image_id in snapshots:
        _delete_if_present(session, glance + '/v2/images/' + image_id)


def _enable_computes(cloud, nova, session):
    """Every nova-compute up and enabled, and schedulable again: Nova
    keeps a disabled compute's provider out of the scheduler's candidates
    by the COMPUTE_STATUS_DISABLED trait, which enabling removes through
    the compute (at once if it is up, else at its next periodic update)."""
    for service in nova.services.list(binary='nova-compute'):
        if service.forced_down:
            nova.services.force_down(service.id, False)
        if service.status != 'enabled':
            nova.services.enable(service.id)
    placement = cloud.endpoints['placement'] + '/resource_providers'
    deadline = time.monotonic() + TRAIT_SYNC_TIMEOUT
    for host in cloud.compute_hosts:
        [provider] = session.get(placement, params={'name': host},
                                 headers=PLACEMENT_HEADERS).json()[
                                     'resource_providers']
        traits = '%s/%s/traits' % (placement, provider['uuid'])
        while DISABLED_TRAIT in session.get(
                traits, headers=PLACEMENT_HEADERS).json()['traits']:
            if time.monotonic() > deadline:
                raise AssertionError('compute %s still %s after %d s' % (
                    host, DISABLED_TRAIT, TRAIT_SYNC_TIMEOUT))
            time.sleep(1)


def _exists(manager, item_id):
    try:
        manager.get(item_id)
    except nova_exc.NotFound:
        return False
    return True


def _delete_quietly(manager, item):
    """Delete, already gone counting as done."""
    try:
        manager.delete(item)
    except nova_exc.NotFound:
        pass


def _delete_if_present(session, url, **kwargs):
    response = session.delete(url, raise_exc=False, **kwargs)
    if response.status_code not in (204, 404):
        raise AssertionError('DELETE %s answered %d: %s' % (
            url, response.status_code, response.text))

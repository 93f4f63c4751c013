"""Instance reservations in Nova (``[physical:host] inventory = nova``).

A host's room for slots is what Placement lets servers use of it: (total
- reserved) x allocation ratio of VCPU, MEMORY_MB and DISK_GB on the
hypervisor's resource provider (``capacities``).

While a reservation is active, Nova holds, all named after its id:

* a private flavor (id = reservation id, name ``reservation:<id>``) of the
  reserved size, shared with the lease's project, whose extra specs ask
  for one unit of the resource class ``CUSTOM_RESERVATION_<ID>`` and for
  hosts of the reservation's aggregate;
* an aggregate (no availability zone; the hosts stay in the freepool)
  with the chosen hosts and metadata ``reservation=<id>``;
* for each chosen host, inventory of that resource class, as many units
  as slots there, on the host's Blazar child resource provider
  (``blazar_<hypervisor hostname>``, a child of the hypervisor's own
  provider, so that nova-compute, which rewrites the inventory of its own
  provider, leaves it alone);
* with affinity set, a server group (``reservation:<id>``, policy
  ``affinity`` or ``anti-affinity``) in the lease's project, made through
  the lease's trust. Naming it at boot is optional: the inventory already
  keeps the servers together (all slots on one host) or apart (one slot
  per host).

Placement then admits exactly ``amount`` servers of the flavor, on the
reserved hosts only; BlazarFilter lets such flavors onto enrolled hosts
and keeps ordinary flavors off them. At the end the flavor's servers are
deleted (after a snapshot of each with ``[virtual:instance] on_end =
snapshot``) and everything above removed. Each step first looks at what
exists, so running ``hand_over`` or ``take_back`` again (after a crash,
or when an active reservation grows) converges instead of duplicating.

When a host fails (the host plugin's health check), the slots no server
uses there move to healthy hosts: ``hand_over`` runs again for the new
layout, and ``drop_hosts`` removes the inventory and the aggregate
membership of a failed host the reservation left. Servers already on
the failed host are not moved (evacuating them is the operator's call):
they keep their slots, counted from Placement's usage of the resource
class (``slots_in_use``), until they are deleted.

``observe`` shows the plugin's periodic reconcile what exists of all
that for the active reservations (the flavors, the aggregates' hosts,
the units on each Blazar provider) in a few reads, whatever their
number; a reservation that drifted is handed over again, or has the
hosts it no longer holds dropped.
"""

import threading
import time

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
from oslo_log import log as logging

from blazar import exceptions
from blazar.plugins.hosts import nova_aggregates as aggregates
from blazar.plugins.hosts import nova_clients
from blazar.plugins.hosts import nova_inventory
from blazar.plugins.hosts import nova_options
from blazar.plugins.instances import allocation
from blazar.plugins.instances import nova_servers
from blazar.plugins.instances import options
from blazar.plugins.instances import resources

LOG = logging.getLogger(__name__)

NOVA = nova_inventory.NOVA
PLACEMENT = nova_inventory.PLACEMENT
RESERVATION_SPEC = 'aggregate_instance_extra_specs:reservation'
# Aggregate metadata naming the server a reservation was made for (read by
# BlazarFilter).
SERVER_KEY = 'blazar:server'
PROVIDER_PREFIX = 'blazar_'
# Placement's resource classes for the sizes of a slot, in Size's order.
CAPACITY_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
# Servers Nova can snapshot, and its task states while it does.
SNAPSHOTTABLE = ('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED')
TASK_STATE = 'OS-EXT-STS:task_state'
SNAPSHOT_TASKS = ('image_snapshot', 'image_snapshot_pending',
                  'image_pending_upload', 'image_uploading')
# Seconds a host's capacity read from Placement is trusted (ratios and
# reserved amounts change rarely, and only by an operator).
CAPACITY_TTL = 60
# Placement answers 409 when a generation moved under us (retry at once)
# or while allocations of deleted servers are still being removed.
PLACEMENT_ATTEMPTS = 5
PLACEMENT_RETRY_SECONDS = 1


def resource_class(reservation_id):
    return 'CUSTOM_RESERVATION_' + reservation_id.upper().replace('-', '_')


def group_name(reservation_id):
    return 'reservation:%s' % reservation_id


def flavor_specs(reservation_id):
    return {RESERVATION_SPEC: reservation_id,
            'resources:%s' % resource_class(reservation_id): '1'}


def capacity(inventories):
    """What Placement lets servers use of a host's inventories (by class):
    (total - reserved) x allocation ratio, as Placement counts it."""
    def usable(resource_class):
        inventory = inventories.get(resource_class)
        if inventory is None:
            return 0
        return int((inventory['total'] - inventory['reserved'])
                   * inventory['allocation_ratio'])
    return allocation.Size(*(usable(c) for c in CAPACITY_CLASSES))


class NovaResources(resources.Resources):

    may_drift = True

    def __init__(self, conf):
        super().__init__(conf)
        options.register_opts(conf)
        nova_options.register_opts(conf)
        self.clients = nova_clients.Clients(conf)
        self._capacities = {}
        self._capacities_lock = threading.Lock()

    # --- capacity ------------------------------------------------------------

    def capacities(self, hypervisor_ids):
        """Placement's view of the hosts, each read at most once per
        ``CAPACITY_TTL`` seconds. Called while a lease is being reserved:
        if Placement does not answer, the enrolled capacity and the
        configured ratios decide, and a warning says so."""
        now = time.monotonic()
        with self._capacities_lock:
            known = {h: size for h, (expiry, size) in self._capacities.items()
                     if expiry > now and h in hypervisor_ids}
        for hypervisor_id in sorted(set(hypervisor_ids) - set(known)):
            try:
                size = self._read_capacity(hypervisor_id)
            except exceptions.BlazarError as error:
                LOG.warning('Capacity of hypervisor %s from the enrolled '
                            'values and configured ratios: %s',
                            hypervisor_id, error)
                continue
            if size is not None:
                known[hypervisor_id] = size
                with self._capacities_lock:
                    self._capacities[hypervisor_id] = (now + CAPACITY_TTL,
                                                       size)
        return known

    def _read_capacity(self, hypervisor_id):
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            response = self.clients.placement.get(
                '/resource_providers/%s/inventories' % hypervisor_id,
                raise_exc=False)
            if response.status_code == 404:
                return None
            _check(response)
            return capacity(response.json()['inventories'])

    @property
    def _nova_opts(self):
        return self.conf[nova_options.NOVA]

    # --- a lease for an existing server --------------------------------------

    def server_size(self, server_id, project_id, is_admin):
        with nova_clients.failures_as_domain_errors(NOVA):
            return nova_servers.size(self.clients.nova, server_id,
                                     project_id, is_admin)

    def shelve(self, server_id):
        with nova_clients.failures_as_domain_errors(NOVA):
            nova_servers.offload(self.clients.nova, server_id,
                                 self._nova_opts.server_deletion_timeout)
        LOG.info('Server %s shelved until its lease starts', server_id)

    def label_server(self, server_id, metadata):
        with nova_clients.failures_as_domain_errors(NOVA):
            self.clients.nova.servers.set_meta(server_id, metadata)

    def give_back_server(self, reservation):
        server_id = reservation['server_id']
        with nova_clients.failures_as_domain_errors(NOVA):
            aggregates.delete(self.clients.nova, reservation['id'])
            unshelved = nova_servers.give_back(
                self.clients.nova, server_id,
                self._nova_opts.server_deletion_timeout)
        if unshelved:
            LOG.info('Server %s unshelved: reservation %s was deleted '
                     'before it started', server_id, reservation['id'])

    def _hand_over_server(self, reservation, placements):
        """The server's aggregate on its one reserved host, and the
        server unshelved there."""
        nova = self.clients.nova
        server_id = reservation['server_id']
        host = placements[0].service_name
        tenant = nova.servers.get(server_id).tenant_id
        aggregate = aggregates.ensure(
            nova, reservation['id'], None,
            {'reservation': reservation['id'], 'filter_tenant_id': tenant,
             self._nova_opts.blazar_owner: tenant,
             SERVER_KEY: server_id})
        aggregate = aggregates.add_host(nova, aggregate, host)
        nova_servers.unshelve_onto(
            self.clients.nova_at(nova_servers.UNSHELVE_TO_HOST_MICROVERSION),
            server_id, host, self._nova_opts.server_deletion_timeout)
        LOG.info('Server %s of reservation %s unshelved onto %s', server_id,
                 reservation['id'], host)
        return resources.Made(aggregate_id=aggregate.id)

    # --- start (and growth) --------------------------------------------------

    def hand_over(self, context, lease, reservation, placements):
        if reservation.get('server_id'):
            with nova_clients.failures_as_domain_errors(NOVA):
                return self._hand_over_server(reservation, placements)
        reservation_id = reservation['id']
        project = lease['project_id']
        with nova_clients.failures_as_domain_errors(NOVA):
            group = self._server_group(lease, reservation)
            flavor = self._flavor(reservation, project)
            aggregate = self._aggregate(reservation_id, project, group,
                                        placements)
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            self._inventories(reservation_id, placements)
        LOG.info('Instance reservation %s handed over: flavor %s on %s',
                 reservation_id, flavor.id, _slots(placements))
        return resources.Made(flavor.id, aggregate.id,
                              group.id if group is not None else None)

    def _server_group(self, lease, reservation):
        """The reservation's group, made as the lease's owner (through its
        trust) so that their boots may name it: Nova puts a group in the
        caller's project and hides it from other projects."""
        if reservation['affinity'] is None:
            return None
        nova = self.clients.nova_as_owner(lease)
        name = group_name(reservation['id'])
        for group in nova.server_groups.list():
            if group.name == name:
                return group
        policy = 'affinity' if reservation['affinity'] else 'anti-affinity'
        return nova.server_groups.create(name=name, policy=policy)

    def _flavor(self, reservation, project):
        nova = self.clients.nova
        flavor_id = reservation['id']
        try:
            flavor = nova.flavors.get(flavor_id)
        except nova_exc.NotFound:
            flavor = nova.flavors.create(
                group_name(flavor_id), reservation['memory_mb'],
                reservation['vcpus'], reservation['disk_gb'],
                flavorid=flavor_id, is_public=False)
        specs = flavor_specs(flavor_id)
        if flavor.get_keys() != specs:
            flavor.set_keys(specs)
        shared_with = {access.tenant_id for access in
                       nova.flavor_access.list(flavor=flavor)}
        if project not in shared_with:
            nova.flavor_access.add_tenant_access(flavor, project)
        return flavor

    def _aggregate(self, reservation_id, project, group, placements):
        metadata = {'reservation': reservation_id,
                    'filter_tenant_id': project,
                    self._nova_opts.blazar_owner: project}
        if group is not None:
            metadata['affinity_id'] = group.id
        aggregate = aggregates.ensure(self.clients.nova, reservation_id,
                                      None, metadata)
        for placement in placements:
            aggregate = aggregates.add_host(self.clients.nova, aggregate,
                                            placement.service_name)
        return aggregate

    def _inventories(self, reservation_id, placements):
        placement_api = self.clients.placement
        name = resource_class(reservation_id)
        placement_api.put('/resource_classes/%s' % name)
        for placement in placements:
            provider = self._provider(placement)
            self._set_inventory(provider, name, placement.slots)

    def _provider(self, placement):
        """The host's Blazar child provider, created if missing."""
        placement_api = self.clients.placement
        name = PROVIDER_PREFIX + placement.hypervisor_hostname
        found = self._provider_named(name)
        if found is None:
            response = placement_api.post(
                '/resource_providers', raise_exc=False,
                json={'name': name,
                      'parent_provider_uuid': placement.hypervisor_id})
            if response.status_code != 409:  # made meanwhile by a retry
                _check(response)
            found = self._provider_named(name)
        return found['uuid']

    def _provider_named(self, name):
        providers = self.clients.placement.get(
            '/resource_providers', params={'name': name}).json()
        return (providers['resource_providers'] or [None])[0]

    def _set_inventory(self, provider, name, total):
        """``total`` units of ``name`` on ``provider``, beside the other
        reservations' classes there (read, change, write back under the
        provider's generation)."""
        path = '/resource_providers/%s/inventories' % provider
        wanted = {'total': total, 'reserved': 0, 'min_unit': 1,
                  'max_unit': 1, 'step_size': 1, 'allocation_ratio': 1.0}
        for _attempt in range(PLACEMENT_ATTEMPTS):
            current = self.clients.placement.get(path).json()
            inventories = current['inventories']
            if inventories.get(name, {}).get('total') == total:
                return
            inventories[name] = wanted
            response = self.clients.placement.put(
                path, raise_exc=False, json={
                    'resource_provider_generation':
                        current['resource_provider_generation'],
                    'inventories': inventories})
            if response.status_code != 409:
                _check(response)
                return
        raise exceptions.ServiceUnavailable(
            reason='Placement kept changing provider %s' % provider)

    # --- failed hosts --------------------------------------------------------

    def slots_in_use(self, reservation, placements):
        """Servers of the flavor hold their slots in Placement; a
        reservation's own server holds its one slot wherever it was
        unshelved. Where Placement cannot tell, every slot counts as used:
        nothing moves until it can."""
        if reservation.get('server_id'):
            return {p.hypervisor_hostname: p.slots for p in placements}
        name = resource_class(reservation['id'])
        used = {}
        for placement in placements:
            try:
                used[placement.hypervisor_hostname] = self._usage(
                    placement, name)
            except exceptions.BlazarError as error:
                LOG.warning('Slots of reservation %s on %s left in place: '
                            '%s', reservation['id'],
                            placement.hypervisor_hostname, error)
                used[placement.hypervisor_hostname] = placement.slots
        return used

    def _usage(self, placement, name):
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            provider = self._provider_named(
                PROVIDER_PREFIX + placement.hypervisor_hostname)
            if provider is None:
                return 0
            usages = self.clients.placement.get(
                '/resource_providers/%s/usages' % provider['uuid']).json()
        return usages['usages'].get(name, 0)

    def drop_hosts(self, context, lease, reservation, placements):
        """No more slots of the reservation there, nor aggregate
        membership: its flavor boots elsewhere."""
        reservation_id = reservation['id']
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            self._remove_host_inventories(resource_class(reservation_id),
                                          placements)
        with nova_clients.failures_as_domain_errors(NOVA):
            aggregate = aggregates.find(self.clients.nova, reservation_id)
            for placement in placements:
                if aggregate is not None:
                    aggregate = aggregates.remove_host(
                        self.clients.nova, aggregate, placement.service_name)
        LOG.info('Instance reservation %s left failed hosts %s',
                 reservation_id, _slots(placements))

    # --- drift --------------------------------------------------------------

    def observe(self, reservation_ids):
        """A few reads of Nova (the aggregates, the pages of flavors), and
        of Placement one of the providers and one of each Blazar
        provider's inventory."""
        wanted = set(reservation_ids)
        with nova_clients.failures_as_domain_errors(NOVA):
            nova = self.clients.nova
            members = {aggregate.name: frozenset(aggregate.hosts)
                       for aggregate in nova.aggregates.list()
                       if aggregate.name in wanted}
            flavors = frozenset(_flavor_ids(nova) & wanted)
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            slots = self._offered_slots(wanted)
        return resources.Seen(flavors, members, slots)

    def _offered_slots(self, reservation_ids):
        """reservation id -> {hypervisor hostname: units of its class on
        that host's Blazar provider}."""
        by_class = {resource_class(r): r for r in reservation_ids}
        placement_api = self.clients.placement
        slots = {}
        for provider in placement_api.get(
                '/resource_providers').json()['resource_providers']:
            if not provider['name'].startswith(PROVIDER_PREFIX):
                continue
            host = provider['name'][len(PROVIDER_PREFIX):]
            inventories = placement_api.get(
                '/resource_providers/%s/inventories'
                % provider['uuid']).json()['inventories']
            for name, inventory in inventories.items():
                if name in by_class:
                    slots.setdefault(by_class[name], {})[host] = (
                        inventory['total'])
        return slots

    # --- end -----------------------------------------------------------------

    def take_back(self, context, lease, reservation, placements):
        reservation_id = reservation['id']
        if reservation.get('server_id'):
            with nova_clients.failures_as_domain_errors(NOVA):
                self._reclaim(lease, self._server(reservation['server_id']))
                aggregates.delete(self.clients.nova, reservation_id)
            LOG.info('Server %s of reservation %s reclaimed (%s)',
                     reservation['server_id'], reservation_id,
                     self.conf[options.GROUP].on_end)
            return
        with nova_clients.failures_as_domain_errors(NOVA):
            self._reclaim(lease, self._listing({'flavor': reservation_id}))
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            self._remove_inventories(reservation_id, placements)
        with nova_clients.failures_as_domain_errors(NOVA):
            aggregates.delete(self.clients.nova, reservation_id)
            self._delete_groups(reservation)
            _delete_quietly(self.clients.nova.flavors, reservation_id)
        LOG.info('Instance reservation %s taken back from %s',
                 reservation_id, _slots(placements))

    def _delete_groups(self, reservation):
        """By the id recorded at the start, or by name if the start did
        not get to record it (the lease's trust may be gone by now, so as
        Blazar, over all projects)."""
        nova = self.clients.nova
        if reservation.get('server_group_id'):
            _delete_quietly(nova.server_groups, reservation['server_group_id'])
        if reservation['affinity'] is not None:
            name = group_name(reservation['id'])
            for group in nova.server_groups.list(all_projects=True):
                if group.name == name:
                    _delete_quietly(nova.server_groups, group)

    def _listing(self, search_opts):
        """A function listing the servers matching ``search_opts`` in all
        projects."""
        def servers():
            return self.clients.nova.servers.list(
                search_opts=dict(search_opts, all_tenants=True), limit=-1)
        return servers

    def _server(self, server_id):
        """A function listing the server, until it is gone."""
        def servers():
            try:
                return [self.clients.nova.servers.get(server_id)]
            except nova_exc.NotFound:
                return []
        return servers

    def _reclaim(self, lease, servers):
        """Shelve ``servers()`` or delete them, after snapshots (as their
        owner where the lease's trust allows), as ``on_end`` says."""
        nova = self.clients.nova
        timeout = self._nova_opts.server_deletion_timeout
        on_end = self.conf[options.GROUP].on_end
        if on_end == options.SHELVE:
            for server in servers():
                nova_servers.offload(nova, server.id, timeout)
            return
        if on_end == options.SNAPSHOT:
            as_owner = self.clients.nova_as_owner(lease)
            for server in servers():
                if server.status in SNAPSHOTTABLE:
                    own = server.tenant_id == lease['project_id']
                    nova_inventory.snapshot(
                        self.clients, as_owner if own else nova, server,
                        self._nova_opts.image_prefix)
            _wait_for_snapshots(servers, timeout)
        nova_inventory.delete_servers(nova, servers, timeout)

    def _remove_inventories(self, reservation_id, placements):
        name = resource_class(reservation_id)
        self._remove_host_inventories(name, placements)
        # A failed host the reservation left keeps its inventory if
        # Placement did not answer then (``drop_hosts``).
        for provider in self._providers_offering(name):
            self._delete_in_use('/resource_providers/%s/inventories/%s'
                                % (provider['uuid'], name))
        self._delete_in_use('/resource_classes/%s' % name)

    def _providers_offering(self, name):
        """Providers with a unit of ``name`` free; none once the class is
        gone (Placement refuses to filter by an unknown class)."""
        response = self.clients.placement.get(
            '/resource_providers', params={'resources': '%s:1' % name},
            raise_exc=False)
        if response.status_code == 400:
            return []
        _check(response)
        return response.json()['resource_providers']

    def _remove_host_inventories(self, name, placements):
        for placement in placements:
            provider = self._provider_named(
                PROVIDER_PREFIX + placement.hypervisor_hostname)
            if provider is not None:
                self._delete_in_use(
                    '/resource_providers/%s/inventories/%s'
                    % (provider['uuid'], name))

    def _delete_in_use(self, path):
        """Delete ``path``, waiting while allocations of just deleted
        servers still use it; gone already is fine."""
        for _attempt in range(PLACEMENT_ATTEMPTS):
            response = self.clients.placement.delete(path, raise_exc=False)
            if response.status_code in (204, 404):
                return
            if response.status_code != 409:
                _check(response)
            time.sleep(PLACEMENT_RETRY_SECONDS)
        raise exceptions.ServiceUnavailable(
            reason='Placement still uses %s' % path)


def _flavor_ids(nova):
    """Ids of all flavors, public or not, page by page (Nova cuts a list
    at its own [api] max_limit, whatever limit is asked)."""
    found, marker = set(), None
    while True:
        page = nova.flavors.list(detailed=False, is_public=None,
                                 marker=marker)
        if not page:
            return found
        found.update(flavor.id for flavor in page)
        marker = page[-1].id


def _wait_for_snapshots(servers, timeout):
    """Until Nova has taken the snapshots of ``servers()`` (deleting a
    server aborts its snapshot)."""
    deadline = time.monotonic() + timeout
    while True:
        busy = [server.id for server in servers()
                if getattr(server, TASK_STATE, None) in SNAPSHOT_TASKS]
        if not busy:
            return
        if time.monotonic() > deadline:
            raise exceptions.ServiceUnavailable(
                reason='Nova did not snapshot servers [%s] within %d s'
                % (', '.join(busy), timeout))
        time.sleep(nova_inventory.DELETION_POLL_INTERVAL)


def _check(response):
    """Raise what keystoneauth raises for a failed answer, so that
    ``failures_as_domain_errors`` maps it."""
    if response.status_code >= 400:
        raise ks_exc.from_response(response, response.request.method,
                                   response.url)


def _delete_quietly(manager, item):
    try:
        manager.delete(item)
    except nova_exc.NotFound:
        pass


def _slots(placements):
    return ', '.join('%s x%d' % (p.hypervisor_hostname, p.slots)
                     for p in placements) or '-'

"""Hosts that are Nova hypervisors (``[physical:host] inventory = nova``).

Enrollment reads the hypervisor from Nova (exact hostname or id), its
capacity from Placement, and puts its compute service host into the
freepool aggregate. A reservation's start moves its hosts into the
reservation's own aggregate (deleting, as upstream, servers an
administrator forced onto them meanwhile), its end deletes the servers
left on them and moves them back (``nova_aggregates`` explains the
layout and why every step may safely run twice). Failures of Nova,
Placement or Glance surface as Blazar's ``ServiceUnavailable`` or
``Conflict`` (``nova_clients``).
"""

import time

from novaclient import exceptions as nova_exc
from oslo_log import log as logging
from oslo_utils import excutils
from oslo_utils import uuidutils

from blazar import exceptions
from blazar.plugins.hosts import inventory
from blazar.plugins.hosts import nova_aggregates as aggregates
from blazar.plugins.hosts import nova_clients
from blazar.plugins.hosts import nova_options
from blazar.plugins.hosts import nova_reconcile
from blazar.plugins.hosts import options

LOG = logging.getLogger(__name__)

NOVA = 'Nova'
PLACEMENT = 'Placement'
GLANCE = 'Glance'

# Placement resource classes -> host columns.
CAPACITY = {'VCPU': 'vcpus', 'MEMORY_MB': 'memory_mb', 'DISK_GB': 'local_gb'}
COMPUTE_SERVICE = 'nova-compute'
SOFT_DELETED = 'SOFT_DELETED'
# Seconds between looks at servers being deleted.
DELETION_POLL_INTERVAL = 2


class NovaInventory(inventory.Inventory):

    def __init__(self, conf):
        super().__init__(conf)
        nova_options.register_opts(conf)
        self.clients = nova_clients.Clients(conf)

    @property
    def _nova_opts(self):
        return self.conf[nova_options.NOVA]

    @property
    def _freepool_name(self):
        return self._nova_opts.aggregate_freepool_name

    # --- enrollment ----------------------------------------------------------

    def describe(self, context, name, request):
        with nova_clients.failures_as_domain_errors(NOVA):
            hypervisor = self._find_hypervisor(name)
            service_host = hypervisor.service['host']
            _refuse_servers(self._servers_on(service_host), name)
            zone = self._zone_of(service_host)
        columns = {'hypervisor_id': hypervisor.id,
                   'hypervisor_hostname': hypervisor.hypervisor_hostname,
                   'service_name': service_host,
                   'hypervisor_type': hypervisor.hypervisor_type,
                   'hypervisor_version': hypervisor.hypervisor_version,
                   'cpu_info': '',
                   'availability_zone': zone}
        columns.update(self._capacity(hypervisor))
        # As upstream: what Nova describes is Nova's to say; every other
        # request field is an extra capability.
        extra = {key: value for key, value in request.items()
                 if key not in inventory.DESCRIBED_COLUMNS}
        return inventory.HostDescription(columns, extra)

    def enroll(self, context, host):
        with nova_clients.failures_as_domain_errors(NOVA):
            freepool = aggregates.ensure(self.clients.nova,
                                         self._freepool_name)
            aggregates.add_host(self.clients.nova, freepool,
                                host['service_name'])

    def check_deletable(self, context, host):
        with nova_clients.failures_as_domain_errors(NOVA):
            _refuse_servers(self._servers_on(host['service_name']),
                            host['hypervisor_hostname'])

    def withdraw(self, context, host):
        with nova_clients.failures_as_domain_errors(NOVA):
            freepool = aggregates.find(self.clients.nova,
                                       self._freepool_name)
            if freepool is not None:
                aggregates.remove_host(self.clients.nova, freepool,
                                       host['service_name'])

    def _find_hypervisor(self, name):
        """The hypervisor whose hostname is exactly ``name`` (Nova's search
        is a pattern: compute-1 also finds compute-10), or whose id it is."""
        nova = self.clients.nova
        if uuidutils.is_uuid_like(name):
            try:
                return nova.hypervisors.get(name)
            except nova_exc.NotFound:
                pass
        try:
            found = nova.hypervisors.search(name, detailed=True)
        except nova_exc.NotFound:
            found = []
        exact = [h for h in found if h.hypervisor_hostname == name]
        if not exact:
            raise exceptions.NotFound("Host '%s' not found!" % name)
        if len(exact) > 1:
            raise exceptions.Conflict(
                "Multiple Hosts found for pattern '%s'" % name)
        return exact[0]

    def _servers_on(self, service_host):
        return self.clients.nova.servers.list(
            search_opts={'all_tenants': True, 'host': service_host},
            limit=-1)

    def _zone_of(self, service_host):
        if not self._nova_opts.az_aware:
            return ''
        for zone in self.clients.nova.availability_zones.list(detailed=True):
            services = (zone.hosts or {}).get(service_host) or {}
            if COMPUTE_SERVICE in services:
                return zone.zoneName
        return ''

    def _capacity(self, hypervisor):
        """vcpus, memory_mb and local_gb: the totals the compute reported
        to Placement (its resource provider has the hypervisor's id)."""
        with nova_clients.failures_as_domain_errors(PLACEMENT):
            response = self.clients.placement.get(
                '/resource_providers/%s/inventories' % hypervisor.id,
                raise_exc=False)
            if response.status_code == 404:
                raise exceptions.Conflict(
                    reason='host %s has no resource provider in Placement '
                           'yet' % hypervisor.hypervisor_hostname)
            response.raise_for_status()
            inventories = response.json()['inventories']
        return {column: inventories.get(resource_class, {}).get('total', 0)
                for resource_class, column in CAPACITY.items()}

    # --- reservations --------------------------------------------------------

    def on_start(self, context, lease, reservation, hosts):
        with nova_clients.failures_as_domain_errors(NOVA):
            target = self._reservation_aggregate(lease, reservation)
            self._take_over(hosts, target, lease['project_id'])
        LOG.info('Reservation %s started: hosts %s moved into aggregate %s',
                 reservation['id'], _names(hosts), target.name)

    def _reservation_aggregate(self, lease, reservation):
        zone = self.conf[options.GROUP].blazar_az_prefix + reservation['id']
        return aggregates.ensure(
            self.clients.nova, reservation['id'], zone,
            {self._nova_opts.blazar_owner: lease['project_id']})

    def _take_over(self, hosts, target, owner):
        """Move the hosts from the freepool into the reservation's
        aggregate ``target``. As upstream, servers of other projects found
        on a host not yet in it (only an administrator's forced boot gets
        past the filter onto the freepool) are deleted first: the host is
        the reservation's alone. The ``owner`` project's servers are never
        touched, so neither a repeated start nor a host that drifted out
        of the aggregate costs the owner a server."""
        arriving = [host for host in hosts
                    if host['service_name'] not in target.hosts]
        self._delete_servers(arriving, sparing=owner)
        freepool = aggregates.ensure(self.clients.nova, self._freepool_name)
        return self._move_all(hosts, freepool, target)

    def _move_all(self, hosts, freepool, target):
        """Move every host, or put back those moved so far: a reservation
        that cannot get all its hosts hands none of them over."""
        nova = self.clients.nova
        moved = []
        try:
            for host in hosts:
                freepool, target = aggregates.move_host(
                    nova, host['service_name'], freepool, target)
                moved.append(host['service_name'])
        except Exception:
            with excutils.save_and_reraise_exception():
                self._put_back(moved, target, freepool)
        return freepool, target

    def _put_back(self, service_hosts, source, freepool):
        for service_host in service_hosts:
            try:
                source, freepool = aggregates.move_host(
                    self.clients.nova, service_host, source, freepool)
            except Exception as error:
                # Still in one aggregate (add before remove); the
                # reconciler puts it where the database says.
                LOG.error('Could not put host %s back into the freepool: '
                          '%s', service_host, error)

    def before_end(self, context, lease, reservation, hosts, action):
        if action != 'snapshot':
            return
        with nova_clients.failures_as_domain_errors(NOVA):
            as_owner = self.clients.nova_as_owner(lease)
            for host in hosts:
                for server in self._servers_on(host['service_name']):
                    own = server.tenant_id == lease['project_id']
                    snapshot(self.clients,
                             as_owner if own else self.clients.nova, server,
                             self._nova_opts.image_prefix)

    def on_end(self, context, lease, reservation, hosts):
        with nova_clients.failures_as_domain_errors(NOVA):
            self._delete_servers(hosts)
            freepool = aggregates.ensure(self.clients.nova,
                                         self._freepool_name)
            source = aggregates.find(self.clients.nova, reservation['id'])
            for host in hosts:
                source, freepool = aggregates.move_host(
                    self.clients.nova, host['service_name'], source,
                    freepool)
            aggregates.delete(self.clients.nova, reservation['id'])
        LOG.info('Reservation %s ended: hosts %s back in the freepool',
                 reservation['id'], _names(hosts))

    def _delete_servers(self, hosts, sparing=None):
        """Delete the servers left on the hosts (but those of the project
        ``sparing``) and wait until they are gone (a host cannot change
        zones with servers on it)."""
        delete_servers(
            self.clients.nova,
            lambda: [server for host in hosts
                     for server in self._servers_on(host['service_name'])
                     if server.tenant_id != sparing],
            self._nova_opts.server_deletion_timeout)

    # --- health --------------------------------------------------------------

    def failed_hosts(self, context, hosts):
        """Hosts whose nova-compute service is down, disabled, forced down
        or gone (what an operator changes through os-services)."""
        with nova_clients.failures_as_domain_errors(NOVA):
            services = self.clients.nova.services.list(
                binary=COMPUTE_SERVICE)
        if hosts and not services:
            # Rather a Nova (or policy) problem than every host gone at
            # once: failing them all would reshuffle every lease.
            raise exceptions.ServiceUnavailable(
                reason='Nova lists no %s service; host health unknown'
                % COMPUTE_SERVICE)
        serving = {service.host for service in services
                   if _is_serving(service)}
        return {host['id'] for host in hosts
                if host['service_name'] not in serving}

    def replace_hosts(self, context, lease, reservation, removed, added):
        with nova_clients.failures_as_domain_errors(NOVA):
            freepool, target = self._take_over(
                added, self._reservation_aggregate(lease, reservation),
                lease['project_id'])
            for host in removed:
                target, freepool = aggregates.move_host(
                    self.clients.nova, host['service_name'], target,
                    freepool)
        LOG.info('Reservation %s: failed hosts %s replaced by %s in '
                 'aggregate %s', reservation['id'], _names(removed),
                 _names(added), target.name)

    # --- drift ---------------------------------------------------------------

    def reconcile(self, context):
        """Put back hosts found outside the aggregate the database puts
        them in (``nova_reconcile``); returns the moves made."""
        with nova_clients.failures_as_domain_errors(NOVA):
            return nova_reconcile.reconcile(
                context, self.clients.nova, self._freepool_name,
                self.conf[options.GROUP].blazar_az_prefix,
                self._nova_opts.blazar_owner)

    def periodic_tasks(self):
        interval = self._nova_opts.reconcile_interval
        return [(interval, self.reconcile)] if interval else []


def _is_serving(service):
    return (service.state == 'up' and service.status == 'enabled'
            and not getattr(service, 'forced_down', False))


def snapshot(clients, nova, server, prefix):
    """Ask ``nova`` for a snapshot of ``server`` named ``prefix`` + its
    name, unless an earlier run already did. Through a client acting for
    the server's project when we can: the image is then theirs, not
    Blazar's."""
    name = prefix + server.name
    if _snapshot_exists(clients, server.id, name):
        return
    nova.servers.create_image(server.id, name)
    LOG.info('Snapshot %s of server %s requested', name, server.id)


def _snapshot_exists(clients, server_id, name):
    """Whether an earlier run already asked for this snapshot (Nova
    creates the image record before it answers)."""
    with nova_clients.failures_as_domain_errors(GLANCE):
        images = clients.glance.get(
            nova_clients.GLANCE_API + '/images',
            params={'name': name, 'instance_uuid': server_id}).json()
    return any(image.get('instance_uuid') == server_id
               for image in images.get('images', []))


def delete_servers(nova, servers_left, timeout):
    """Delete what ``servers_left()`` lists until it lists nothing; past
    ``timeout`` seconds, ``ServiceUnavailable`` (the caller's step is
    retried later)."""
    deadline = time.monotonic() + timeout
    asked = set()
    while True:
        left = servers_left()
        if not left:
            return
        if time.monotonic() > deadline:
            raise exceptions.ServiceUnavailable(
                reason='Nova did not delete servers [%s] within %d s'
                % (', '.join(s.id for s in left), timeout))
        for server in left:
            _delete_server(nova, server, asked)
        time.sleep(DELETION_POLL_INTERVAL)


def _delete_server(nova, server, asked):
    """Ask once per server, and again to purge a soft-deleted one."""
    try:
        if server.status == SOFT_DELETED:
            nova.servers.force_delete(server)
        elif server.id not in asked:
            nova.servers.delete(server)
            LOG.info('Deleting server %s on host %s', server.id,
                     getattr(server, 'OS-EXT-SRV-ATTR:host', '?'))
    except nova_exc.NotFound:
        pass
    asked.add(server.id)


def _refuse_servers(servers, name):
    if servers:
        raise exceptions.Conflict('Servers [%s] found for host %s'
                                  % (', '.join(s.id for s in servers), name))


def _names(hosts):
    return ', '.join(h['hypervisor_hostname'] for h in hosts) or '-'

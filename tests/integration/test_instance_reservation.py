"""Instance reservations in the test cloud, through a real Blazar.

A blazar-all with the host and instance plugins on the Nova inventory
(see test_host_reservation) enrolls one compute; a fresh project reserves
slots on it and boots servers of the reserved flavor in the real Nova:
Placement admits exactly the reserved amount, ordinary flavors stay off
the host, and the end snapshots and removes the servers and everything
Blazar made.
Runs only with BLAZAR_TEST_CLOUD=1, holding the host-layout lock.
"""

import datetime
import time

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
from testtools import content

from tests.integration import cloud as test_cloud
from tests.integration import test_host_reservation as hosts_test

HOST_ATTR = hosts_test.HOST_ATTR
BOOT_ATTEMPTS = 3
PLUGINS = ('physical.host.plugin', 'virtual.instance.plugin')
# The slot size; the compute has 8 VCPUs, 16384 MB and 200 GB.
SLOT = {'vcpus': 1, 'memory_mb': 64, 'disk_gb': 1}
AMOUNT = 2


def resource_class_of(reservation_id):
    """The custom resource class of a reservation's slots in Placement."""
    return 'CUSTOM_RESERVATION_%s' % reservation_id.upper().replace('-', '_')


class InstanceCloudTestCase(hosts_test.NovaBlazarTestCase):
    """Blazar with the host and instance plugins, and the helpers of tests
    of instance reservations; ``reserved_host`` is the compute they
    enroll, ``free_host`` the other one."""

    blazar_plugins = PLUGINS

    def setUp(self):
        super().setUp()
        self.admin = self.cloud.nova()
        self.placement = self.cloud.admin_session()
        self.admin_blazar = self.blazar_client(self.cloud.blazar_session())
        self.reserved_host, self.free_host = sorted(
            self.cloud.compute_hosts)[:2]
        self.ordinary_flavor = self.admin.flavors.create(
            'ordinary-%s' % time.monotonic_ns(), ram=64, vcpus=1, disk=1)
        self.addCleanup(self.ordinary_flavor.delete)

    # The host reservation test's helpers serve here unchanged.
    blazar_client = hosts_test.HostReservationTest.blazar_client
    enroll = hosts_test.HostReservationTest.enroll
    _aggregate = hosts_test.HostReservationTest._aggregate
    _freepool_hosts = hosts_test.HostReservationTest._freepool_hosts
    wait_for_lease = hosts_test.HostReservationTest.wait_for_lease
    _delete_lease = hosts_test.HostReservationTest._delete_lease
    end_now = hosts_test.HostReservationTest.end_now
    set_compute_enabled = hosts_test.HostReservationTest.set_compute_enabled
    wait_for_lease_flags = (
        hosts_test.HostReservationTest.wait_for_lease_flags)

    def create_lease(self, user, start, end, amount=AMOUNT, status=201,
                     affinity=None, anywhere=False):
        """Slots on the reserved host (or on any enrolled host)."""
        wanted = '' if anywhere else (
            '["==", "$hypervisor_hostname", "%s"]' % self.reserved_host)
        return self.post_lease(user, start, end, status, dict(
            SLOT, resource_type='virtual:instance', amount=amount,
            affinity=affinity, resource_properties=wanted))

    def ordinary_server(self, owner):
        """An ACTIVE server of ``owner`` in an ordinary flavor, on the
        free host."""
        return self.on_free_host(
            lambda: self.boot(owner, self.ordinary_flavor.id))

    def on_free_host(self, boot):
        """The server ``boot()`` makes, ACTIVE on the free host.

        Nova's scheduler hears that a host joined the freepool through an
        asynchronous cast: a boot right after the enrollment may still be
        placed there. Such a server is deleted and booted again; a filter
        that lets ordinary servers onto enrolled hosts fails every time.
        """
        for _ in range(BOOT_ATTEMPTS):
            server = test_cloud.wait_for_server(self.admin, boot().id,
                                                'ACTIVE')
            if getattr(server, HOST_ATTR) == self.free_host:
                return server
            test_cloud.delete_server(self.admin, server.id)
            time.sleep(2)
        self.fail('ordinary servers keep landing on the enrolled host')

    def lease_starting_soon(self, owner, **slots):
        """A ten-minute slot lease of ``owner`` starting in 5 s."""
        start = hosts_test.utcnow() + datetime.timedelta(seconds=5)
        return self.create_lease(owner, start,
                                 start + datetime.timedelta(minutes=10),
                                 **slots)

    def server_lease(self, user, server_id, start, end, status=201):
        return self.post_lease(user, start, end, status, {
            'resource_type': 'virtual:instance', 'server_id': server_id})

    def post_lease(self, user, start, end, status, reservation):
        body = {'name': 'instances-%s' % time.monotonic_ns(),
                'start_date': hosts_test.wire_date(start),
                'end_date': hosts_test.wire_date(end), 'events': [],
                'reservations': [reservation]}
        response = user.session.post(self.blazar.url + '/leases', json=body,
                                     raise_exc=False)
        self.assertEqual(status, response.status_code, response.text)
        if status != 201:
            return response.json()
        lease = response.json()['lease']
        self.addCleanup(self._delete_lease, user.session, lease['id'])
        return lease

    def boot(self, user, flavor_id, hints=None):
        nova = self.cloud.nova(user.session)
        server = nova.servers.create(
            'slot-%s' % time.monotonic_ns(), self.cloud.image_id, flavor_id,
            nics='none', scheduler_hints=hints or {})
        self.addCleanup(test_cloud.delete_server, self.admin, server.id)
        return server

    def placement_get(self, path):
        return self.placement.get(
            self.cloud.endpoints['placement'] + path, raise_exc=False,
            headers={'OpenStack-API-Version': 'placement 1.29'})

    def reserved_inventory(self, resource_class, host=None):
        """Inventory of ``resource_class`` on the Blazar provider of
        ``host`` (the reserved host), or None."""
        providers = self.placement_get(
            '/resource_providers?name=blazar_%s'
            % (host or self.reserved_host)).json()
        if not providers['resource_providers']:
            return None
        uuid = providers['resource_providers'][0]['uuid']
        return self.placement_get('/resource_providers/%s/inventories'
                                  % uuid).json()['inventories'].get(
                                      resource_class)

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + 10 * hosts_test.RECONCILE_INTERVAL + 30
        while not predicate():
            if time.monotonic() > deadline:
                self.fail('never saw ' + what)
            time.sleep(0.5)

    def leave_inventory(self, host, resource_class):
        placement = self.cloud.endpoints['placement']
        headers = {'OpenStack-API-Version': 'placement 1.29'}
        [compute] = self.placement_get(
            '/resource_providers?name=%s' % host).json()['resource_providers']
        self.placement.post(placement + '/resource_providers', json={
            'name': 'blazar_' + host,
            'parent_provider_uuid': compute['uuid']}, headers=headers,
            raise_exc=False)
        [provider] = self.placement_get(
            '/resource_providers?name=blazar_%s' % host).json()[
                'resource_providers']
        path = '%s/resource_providers/%s/inventories' % (placement,
                                                         provider['uuid'])
        self.placement.put(path, headers=headers, json={
            'resource_provider_generation': provider['generation'],
            'inventories': {resource_class: {'total': 1}}})

    def remove_inventory(self, host, resource_class):
        [provider] = self.placement_get(
            '/resource_providers?name=blazar_%s' % host).json()[
                'resource_providers']
        response = self.placement.delete(
            '%s/resource_providers/%s/inventories/%s' % (
                self.cloud.endpoints['placement'], provider['uuid'],
                resource_class),
            headers={'OpenStack-API-Version': 'placement 1.29'})
        self.assertEqual(204, response.status_code, response.text)

    def snapshots_of(self, servers):
        """Ids of the servers with a snapshot in Glance (removed at the end
        of the test)."""
        glance = self.cloud.endpoints['image'] + '/v2/images'
        found = set()
        for server in servers:
            images = self.placement.get(glance, params={
                'name': 'reserved_' + server.name}).json()['images']
            for image in images:
                self.addCleanup(self.placement.delete,
                                glance + '/' + image['id'], raise_exc=False)
                found.add(image.get('instance_uuid'))
        return found

    def assertGone(self, get, *args):
        self.assertRaises((nova_exc.NotFound, ks_exc.NotFound), get, *args)


@test_cloud.skip_unless_cloud
class InstanceReservationTest(InstanceCloudTestCase):

    blazar_sections = {'virtual:instance': {'on_end': 'snapshot'}}

    def test_capacity_is_what_placement_lets_servers_use(self):
        # The compute has 8 VCPUs, and Placement a VCPU allocation ratio
        # of 4: 32 servers of one VCPU fit, not 33 (nor only 8, as the
        # enrolled capacity and the default configured ratio would say).
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        start = hosts_test.utcnow() + datetime.timedelta(days=300)
        end = start + datetime.timedelta(hours=1)
        self.create_lease(owner, start, end, amount=32)
        refused = self.create_lease(owner, start, end, amount=1,
                                    status=409)
        self.assertIn('room for 0 such instance(s)',
                      refused['error_message'])

    def test_affinity_group_belongs_to_the_lease_owner(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease = self.lease_starting_soon(owner, amount=1, affinity=True)
        reservation_id = lease['reservations'][0]['id']
        lease = self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        group_id = lease['reservations'][0]['server_group_id']
        group = self.cloud.nova(owner.session).server_groups.get(group_id)
        self.assertEqual(('reservation:' + reservation_id, 'affinity'),
                         (group.name, group.policy))
        server = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id,
                                  {'group': group_id}).id, 'ACTIVE')
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))

        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.assertGone(self.admin.server_groups.get, group_id)
        self.assertEqual({server.id}, self.snapshots_of([server]))

    def test_slots_admit_exactly_the_amount_then_vanish(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        start = hosts_test.utcnow() + datetime.timedelta(seconds=5)
        lease = self.create_lease(owner, start,
                                  start + datetime.timedelta(minutes=10))
        reservation_id = lease['reservations'][0]['id']
        resource_class = resource_class_of(reservation_id)

        lease = self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        self.addDetail('lease-start-seconds', content.text_content(
            '%.1f' % (hosts_test.utcnow() - start).total_seconds()))
        reservation = lease['reservations'][0]
        self.assertEqual(reservation_id, reservation['flavor_id'])
        flavor = self.admin.flavors.get(reservation_id)
        self.assertEqual((1, 64, 1, False), (flavor.vcpus, flavor.ram,
                                             flavor.disk, flavor.is_public))
        self.assertEqual('1', flavor.get_keys()['resources:' + resource_class])
        aggregate = self._aggregate(reservation_id)
        self.assertEqual(reservation['aggregate_id'], aggregate.id)
        self.assertEqual([self.reserved_host], aggregate.hosts)
        self.assertEqual(reservation_id, aggregate.metadata['reservation'])
        self.assertEqual({self.reserved_host}, self._freepool_hosts())
        self.assertEqual(AMOUNT, self.reserved_inventory(
            resource_class)['total'])

        servers = [test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ACTIVE')
            for _ in range(AMOUNT)]
        self.assertEqual([self.reserved_host] * AMOUNT,
                         [getattr(server, HOST_ATTR) for server in servers])
        extra = self.boot(owner, reservation_id)
        extra = test_cloud.wait_for_server(self.admin, extra.id, 'ERROR')
        self.assertIn('No valid host', extra.fault['message'])
        ordinary = self.ordinary_server(owner)

        ending = hosts_test.utcnow()
        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.addDetail('lease-end-seconds', content.text_content(
            '%.1f' % (hosts_test.utcnow() - ending).total_seconds()))
        for server in servers:
            self.assertGone(self.admin.servers.get, server.id)
        # on_end = snapshot: the servers that ran were saved first.
        self.assertEqual({s.id for s in servers},
                         self.snapshots_of(servers + [extra]))
        self.assertGone(self.admin.flavors.get, reservation_id)
        self.assertIsNone(self._aggregate(reservation_id))
        self.assertIsNone(self.reserved_inventory(resource_class))
        self.assertEqual(404, self.placement_get(
            '/resource_classes/%s' % resource_class).status_code)
        self.assertEqual({self.reserved_host}, self._freepool_hosts())
        test_cloud.wait_for_server(self.admin, ordinary.id, 'ACTIVE')

    def test_existing_server_shelved_until_its_lease_then_reclaimed(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        server = self.ordinary_server(owner)
        stranger = self.useFixture(test_cloud.ProjectUser(self.cloud))
        start = hosts_test.utcnow() + datetime.timedelta(seconds=25)
        end = start + datetime.timedelta(minutes=10)
        refused = self.server_lease(stranger, server.id, start, end, 403)
        self.assertIn('belongs to another project', refused['error_message'])

        creating = time.monotonic()
        lease = self.server_lease(owner, server.id, start, end)
        self.addDetail('lease-create-seconds', content.text_content(
            '%.1f' % (time.monotonic() - creating)))
        reservation = lease['reservations'][0]
        self.assertEqual((server.id, 1, 64, 1, 1), (
            reservation['server_id'], reservation['vcpus'],
            reservation['memory_mb'], reservation['disk_gb'],
            reservation['amount']))
        test_cloud.wait_for_server(self.admin, server.id, 'SHELVED_OFFLOADED')

        lease = self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        started = hosts_test.utcnow()
        server = test_cloud.wait_for_server(self.admin, server.id, 'ACTIVE')
        self.addDetail('lease-start-seconds', content.text_content(
            '%.1f (server ACTIVE %.1f s after the lease)' % (
                (started - start).total_seconds(),
                (hosts_test.utcnow() - started).total_seconds())))
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))
        aggregate = self._aggregate(reservation['id'])
        self.assertEqual(server.id, aggregate.metadata['blazar:server'])

        ending = hosts_test.utcnow()
        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.addDetail('lease-end-seconds', content.text_content(
            '%.1f' % (hosts_test.utcnow() - ending).total_seconds()))
        # on_end = snapshot: saved, then deleted.
        self.assertGone(self.admin.servers.get, server.id)
        self.assertEqual({server.id}, self.snapshots_of([server]))
        self.assertIsNone(self._aggregate(reservation['id']))

    def test_existing_server_given_back_when_its_lease_is_deleted(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        server = self.ordinary_server(owner)
        start = hosts_test.utcnow() + datetime.timedelta(minutes=5)
        lease = self.server_lease(owner, server.id, start,
                                  start + datetime.timedelta(minutes=10))
        test_cloud.wait_for_server(self.admin, server.id, 'SHELVED_OFFLOADED')

        response = owner.session.delete(
            '%s/leases/%s' % (self.blazar.url, lease['id']), raise_exc=False)
        self.assertEqual(204, response.status_code, response.text)
        # Never reclaimed (on_end = snapshot here): running again, as is.
        server = test_cloud.wait_for_server(self.admin, server.id, 'ACTIVE')
        self.assertEqual(self.ordinary_flavor.name,
                         server.flavor['original_name'])
        self.assertEqual(set(), self.snapshots_of([server]))
        self.assertGone(owner.session.get,
                        '%s/leases/%s' % (self.blazar.url, lease['id']))

    # --- failed hosts --------------------------------------------------------

    def test_unused_slots_leave_a_failed_host(self):
        self.enroll(self.reserved_host)
        self.enroll(self.free_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease = self.lease_starting_soon(owner, anywhere=True)
        reservation_id = lease['reservations'][0]['id']
        resource_class = resource_class_of(reservation_id)
        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        [failing] = self._aggregate(reservation_id).hosts
        [healthy] = {self.reserved_host, self.free_host} - {failing}
        stranded = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ACTIVE')
        self.assertEqual(failing, getattr(stranded, HOST_ATTR))

        # The host goes into maintenance: the slot no server uses moves to
        # the healthy host; the server stays, and holds its slot.
        disabled = time.monotonic()
        self.set_compute_enabled(failing, False)
        self.wait_for('a slot on the healthy host', lambda: (
            self.reserved_inventory(resource_class, healthy) or {}).get(
                'total') == 1)
        healed = time.monotonic() - disabled
        self.addDetail('heal-seconds', content.text_content(
            '%.1f (compute disabled to inventory on the healthy host; '
            'health check every %d s)'
            % (healed, hosts_test.RECONCILE_INTERVAL)))
        self.assertEqual(1, self.reserved_inventory(
            resource_class, failing)['total'])
        self.assertEqual({failing, healthy},
                         set(self._aggregate(reservation_id).hosts))
        lease = self.wait_for_lease_flags(owner.session, lease['id'], True)
        self.assertEqual((True, True), (
            lease['reservations'][0]['missing_resources'],
            lease['reservations'][0]['resources_changed']))
        moved = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ACTIVE')
        self.assertEqual(healthy, getattr(moved, HOST_ATTR))
        extra = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ERROR')
        self.assertIn('No valid host', extra.fault['message'])

        # Deleted, the stranded server gives its slot up: the slot moves
        # too, the failed host leaves the reservation, the lease heals.
        test_cloud.delete_server(self.admin, stranded.id)
        self.wait_for_lease_flags(owner.session, lease['id'], False)
        self.wait_for('the failed host out of the reservation', lambda: (
            self._aggregate(reservation_id).hosts == [healthy]))
        self.assertIsNone(self.reserved_inventory(resource_class, failing))
        self.assertEqual(2, self.reserved_inventory(
            resource_class, healthy)['total'])
        second = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ACTIVE')
        self.assertEqual(healthy, getattr(second, HOST_ATTR))

        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        for server in (moved, second):
            self.assertGone(self.admin.servers.get, server.id)
        self.snapshots_of([moved, second])  # on_end = snapshot: removed
        self.assertIsNone(self._aggregate(reservation_id))
        for host in (failing, healthy):
            self.assertIsNone(self.reserved_inventory(resource_class, host))
        self.assertEqual({failing, healthy}, self._freepool_hosts())

    def test_shelved_server_starts_on_the_host_replacing_a_failed_one(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        server = self.ordinary_server(owner)
        start = hosts_test.utcnow() + datetime.timedelta(seconds=40)
        lease = self.server_lease(owner, server.id, start,
                                  start + datetime.timedelta(minutes=10))
        test_cloud.wait_for_server(self.admin, server.id, 'SHELVED_OFFLOADED')
        # Offloaded, the server left the free host: it may be enrolled.
        spare = self.enroll(self.free_host)

        self.set_compute_enabled(self.reserved_host, False)

        self.wait_for('the slot on the spare host', lambda: (
            self.hosts_of(lease) == {spare['id']}))
        lease = self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        self.assertFalse(lease['degraded'])
        server = test_cloud.wait_for_server(self.admin, server.id, 'ACTIVE')
        self.assertEqual(self.free_host, getattr(server, HOST_ATTR))
        self.assertEqual([self.free_host],
                         self._aggregate(lease['reservations'][0]['id']).hosts)
        # Ended before the spare host is withdrawn (on_end = snapshot).
        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.assertEqual({server.id}, self.snapshots_of([server]))

    def hosts_of(self, lease):
        """Ids of the hosts holding the lease's slots."""
        allocations = self.cloud.blazar_session().get(
            '%s/os-hosts/allocations' % self.blazar.url,
            params={'lease_id': lease['id']}).json()['allocations']
        return {a['resource_id'] for a in allocations if a['reservations']}

    def test_end_removes_inventory_left_on_a_host_given_up(self):
        # As if Placement had not answered when healing moved the slots
        # off the free host: its Blazar provider still offers the class.
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease = self.lease_starting_soon(owner)
        reservation_id = lease['reservations'][0]['id']
        resource_class = resource_class_of(reservation_id)
        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        self.leave_inventory(self.free_host, resource_class)

        self.end_now(owner, lease['id'])

        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.assertIsNone(self.reserved_inventory(resource_class,
                                                  self.free_host))
        self.assertEqual(404, self.placement_get(
            '/resource_classes/%s' % resource_class).status_code)


@test_cloud.skip_unless_cloud
class InstanceDriftTest(InstanceCloudTestCase):
    """The manager compares active slot reservations with Nova every
    RECONCILE_INTERVAL seconds."""

    blazar_sections = {'virtual:instance': {
        'reconcile_interval': hosts_test.RECONCILE_INTERVAL}}

    def test_what_nova_lost_or_kept_is_repaired(self):
        self.enroll(self.reserved_host)
        self.enroll(self.free_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease = self.lease_starting_soon(owner, amount=1)
        reservation_id = lease['reservations'][0]['id']
        resource_class = resource_class_of(reservation_id)
        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')

        # Behind Blazar's back: the flavor, the host's membership and its
        # slot go; a slot appears on the other enrolled host.
        breaking = time.monotonic()
        self.admin.flavors.delete(reservation_id)
        self.admin.aggregates.remove_host(self._aggregate(reservation_id),
                                          self.reserved_host)
        self.remove_inventory(self.reserved_host, resource_class)
        self.leave_inventory(self.free_host, resource_class)

        self.wait_for('the reservation as the books have it', lambda: (
            self._aggregate(reservation_id).hosts == [self.reserved_host]
            and (self.reserved_inventory(resource_class) or {}).get(
                'total') == 1
            and self.reserved_inventory(resource_class,
                                        self.free_host) is None
            and self.flavor_exists(reservation_id)))
        self.addDetail('repair-seconds', content.text_content(
            '%.1f (reconcile every %d s)' % (
                time.monotonic() - breaking,
                hosts_test.RECONCILE_INTERVAL)))
        server = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ACTIVE')
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))
        extra = test_cloud.wait_for_server(
            self.admin, self.boot(owner, reservation_id).id, 'ERROR')
        self.assertIn('No valid host', extra.fault['message'])

        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.assertGone(self.admin.flavors.get, reservation_id)
        self.assertIsNone(self._aggregate(reservation_id))

    def flavor_exists(self, flavor_id):
        try:
            self.admin.flavors.get(flavor_id)
        except nova_exc.NotFound:
            return False
        return True

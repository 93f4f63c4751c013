"""Host reservations in the test cloud, through a real Blazar.

A blazar-all runs with the host plugin on the Nova inventory, Keystone
authentication, and the cloud's ``blazar`` service user in ``[nova]``. It
listens where nova.conf's ``[blazar] url`` points, so BlazarFilter in the
real nova-scheduler asks this Blazar whether a reservation's lease is
active. Hosts are enrolled through the API, leases are created by a fresh
project, servers are booted by real users; Nova's aggregates, hosts and
servers are checked as an operator would see them. The manager looks for
aggregate drift every few seconds, and must repair what a test breaks.

Blazar runs only while the host-layout lock is held: it moves hosts in and
out of Blazar's aggregates, and other tests expect no Blazar API while they
hold the lock. Runs only with BLAZAR_TEST_CLOUD=1.
"""

import datetime
import socket
import time
import urllib.parse
import uuid

from blazarclient import client as blazar_client
from blazarclient import exception as blazar_exc
import fixtures
from keystoneauth1 import session as ks_session
from novaclient import exceptions as nova_exc
import testtools
from testtools import content

from tests import fixtures as blazar_fixtures
from tests.integration import cloud as test_cloud
from tests.integration import layout

HOST_ATTR = 'OS-EXT-SRV-ATTR:host'
FREEPOOL_TIMEOUT = 30
# Starting a lease takes about a second against the fake driver, ending
# one a few (the servers left behind are deleted first); the event engine
# may add up to its poll period.
LEASE_STATUS_TIMEOUT = 90
# The manager looks for aggregate drift, and at the health of the hosts,
# this often during these tests.
RECONCILE_INTERVAL = 2
# Nova sends a service.update within a second of an operator's change;
# the manager then asks Nova about every host.
NOTIFICATION_TIMEOUT = 30


def service_user(cloud):
    return dict(cloud.blazar_credentials(), auth_type='password')


def nova_sections(cloud, **nova):
    """[nova] and [keystone_authtoken] as the cloud's service user."""
    return {'nova': dict(service_user(cloud), region_name=cloud.region_name,
                         **nova),
            'keystone_authtoken': dict(
                service_user(cloud), memcached_servers='',
                www_authenticate_uri=cloud.keystone_url)}


class NovaBlazar(fixtures.Fixture):
    """blazar-all on SQLite with the host plugin (and ``plugins``) on the
    Nova inventory; ``sections`` adds options (section -> options)."""

    def __init__(self, cloud, port=None, auth_strategy='keystone',
                 plugins=('physical.host.plugin',), sections=None, **nova):
        super().__init__()
        self.cloud = cloud
        self.port = port or blazar_fixtures.free_port()
        self.auth_strategy = auth_strategy
        self.plugins = plugins
        self.sections = sections or {}
        self.nova = nova

    def _setUp(self):
        test_cloud.refuse_busy_port(self.port)
        directory = self.useFixture(fixtures.TempDir()).path
        sections = {
            'DEFAULT': {'auth_strategy': self.auth_strategy,
                        'transport_url': 'fake:/'},
            'database': {'connection': 'sqlite:///%s/blazar.sqlite'
                                       % directory},
            'api': {'port': self.port},
            'manager': {'plugins': ','.join(self.plugins),
                        # No before-end event: these leases are short.
                        'minutes_before_end_lease': 0},
            'physical:host': {'inventory': 'nova',
                              'health_check_interval': RECONCILE_INTERVAL},
            'oslo_concurrency': {'lock_path': directory},
        }
        sections.update(nova_sections(
            self.cloud, reconcile_interval=RECONCILE_INTERVAL, **self.nova))
        for name, options in self.sections.items():
            sections[name] = dict(sections.get(name, {}), **options)
        self.config_path = blazar_fixtures.write_config(directory, sections)
        self.process = self.useFixture(blazar_fixtures.BlazarProcess(
            'blazar-all', self.config_path, self.port))
        self.url = 'http://127.0.0.1:%d/v1' % self.port


def blazar_port(cloud):
    return urllib.parse.urlsplit(cloud.description['blazar_url']).port


def wire_date(when):
    return when.strftime('%Y-%m-%dT%H:%M:%S')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class NovaBlazarTestCase(testtools.TestCase):
    """Tests sharing one NovaBlazar on the cloud's Blazar port, holding
    the host-layout lock for the whole class.

    Each test ends, after its own cleanups, with the class's Blazar
    emptied (its leases deleted, then its hosts, which Blazar refuses to
    give up while a lease holds them) and the host layout restored, so
    the next test starts from the baseline. A Blazar that refuses is
    replaced by a fresh one (its database goes with it) and the test
    fails. The lock restores the layout again once the Blazar has stopped.
    """

    blazar_plugins = ('physical.host.plugin',)
    blazar_sections = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cloud = test_cloud.ensure_cloud()
        cls.lock = test_cloud.HostLayoutLock(exclusive=True)
        cls.lock.setUp()
        try:
            cls.start_blazar()
        except BaseException:
            cls.lock.cleanUp()
            raise

    @classmethod
    def start_blazar(cls):
        cls.blazar = NovaBlazar(cls.cloud, port=blazar_port(cls.cloud),
                                plugins=cls.blazar_plugins,
                                sections=cls.blazar_sections)
        cls.blazar.setUp()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.blazar.cleanUp()
        finally:
            cls.lock.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # First in, so last out: after the test's leases, servers, hosts.
        self.addCleanup(self._empty_blazar)

    def _empty_blazar(self):
        session = self.cloud.blazar_session()
        try:
            for lease in session.get(self.blazar.url + '/leases').json()[
                    'leases']:
                self._delete_until_gone(session, '/leases/' + lease['id'])
            for host in session.get(self.blazar.url + '/os-hosts').json()[
                    'hosts']:
                self._delete_until_gone(session, '/os-hosts/' + host['id'])
        except AssertionError:
            self.blazar.cleanUp()
            self.start_blazar()
            raise
        finally:
            layout.restore(self.cloud)

    def _delete_until_gone(self, session, path):
        """Delete, retrying while Blazar answers 409 (a lease starting or
        ending, a host a lease still holds)."""
        deadline = time.monotonic() + LEASE_STATUS_TIMEOUT
        while True:
            response = session.delete(self.blazar.url + path,
                                      raise_exc=False)
            if response.status_code in (204, 404):
                return
            if (response.status_code != 409
                    or time.monotonic() > deadline):
                raise AssertionError('Blazar kept %s (%d: %s); replaced by '
                                     'an empty one' % (
                                         path, response.status_code,
                                         response.text))
            time.sleep(1)


class HostReservationTestCase(NovaBlazarTestCase):
    """Tests that enroll the cloud's computes in the class's Blazar
    and reserve them: a Nova and a Blazar client as the cloud's
    administrator, and helpers."""

    def setUp(self):
        super().setUp()
        # The class's Blazar log so far, shown when a test fails.
        self.addDetail('blazar-all-log', content.content_from_file(
            self.blazar.process.log_path, buffer_now=False))
        self.admin = self.cloud.nova()
        self.admin_blazar = self.blazar_client(self.cloud.blazar_session())
        self.reserved_host, self.free_host = sorted(
            self.cloud.compute_hosts)[:2]
        self.assertEqual(set(), self._managed_hosts(),
                         'hosts already in Blazar aggregates')

    # --- helpers -------------------------------------------------------------

    def blazar_client(self, session):
        return blazar_client.Client(session=session,
                                    endpoint_override=self.blazar.url)

    def _managed_hosts(self):
        return layout.blazar_managed_hosts(self.admin, self.cloud.freepool)

    def _aggregate(self, name):
        found = [a for a in self.admin.aggregates.list() if a.name == name]
        return found[0] if found else None

    def _freepool_hosts(self):
        return set(self._aggregate(self.cloud.freepool).hosts)

    def enroll(self, name):
        """Enroll the host (withdrawn once the test and its leases are
        done: see NovaBlazarTestCase)."""
        return self.admin_blazar.host.create(name=name)

    def wait_for_lease(self, session, lease_id, status):
        deadline = time.monotonic() + LEASE_STATUS_TIMEOUT
        while True:
            lease = self.blazar_client(session).lease.get(lease_id)
            if lease['status'] == status:
                return lease
            if lease['status'] == 'ERROR' or time.monotonic() > deadline:
                self.fail('lease %s is %s, wanted %s: %s'
                          % (lease_id, lease['status'], status, lease))
            time.sleep(0.5)

    def create_lease(self, user, start, end, host=None, before_end='',
                     before_end_date=None):
        """A lease of one host: ``host``, or any enrolled host."""
        wanted = ('' if host is None else
                  '["==", "$hypervisor_hostname", "%s"]' % host)
        body = {'name': 'hosts-%s' % uuid.uuid4().hex[:8],
                'start_date': wire_date(start), 'end_date': wire_date(end),
                'before_end_date': before_end_date and wire_date(
                    before_end_date),
                'events': [],
                'reservations': [{
                    'resource_type': 'physical:host', 'min': 1, 'max': 1,
                    'hypervisor_properties': wanted,
                    'resource_properties': '', 'before_end': before_end}]}
        lease = user.session.post(self.blazar.url + '/leases',
                                  json=body).json()['lease']
        self.addCleanup(self._delete_lease, user.session, lease['id'])
        return lease

    def start_lease(self, owner, host=None):
        """A lease of ``host`` (or any enrolled host) for ten minutes from
        a few seconds from now, once active; (lease, reservation id)."""
        start = utcnow() + datetime.timedelta(seconds=5)
        lease = self.create_lease(owner, start,
                                  start + datetime.timedelta(minutes=10),
                                  host)
        reservation_id = lease['reservations'][0]['id']
        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        self.addDetail('lease-start-seconds', content.text_content(
            '%.1f' % (utcnow() - start).total_seconds()))
        return lease, reservation_id

    def _delete_lease(self, session, lease_id):
        session.delete('%s/leases/%s' % (self.blazar.url, lease_id),
                       raise_exc=False)

    def end_now(self, user, lease_id):
        end = wire_date(utcnow() + datetime.timedelta(seconds=2))
        user.session.put('%s/leases/%s' % (self.blazar.url, lease_id),
                         json={'end_date': end})

    def wait_for_layout(self, hosts_by_aggregate):
        """Wait for the manager's periodic reconciler to make Nova's
        aggregates hold exactly these hosts."""
        deadline = time.monotonic() + 10 * RECONCILE_INTERVAL + 30
        while True:
            found = {name: set(self._aggregate(name).hosts)
                     for name in hosts_by_aggregate}
            if found == hosts_by_aggregate:
                return
            if time.monotonic() > deadline:
                self.fail('aggregates hold %s, wanted %s'
                          % (found, hosts_by_aggregate))
            time.sleep(0.5)

    def assertBlazarError(self, status, message, function, *args, **kwargs):
        error = self.assertRaises(blazar_exc.BlazarClientException,
                                  function, *args, **kwargs)
        self.assertEqual(status, error.kwargs['code'])
        self.assertIn(message, str(error))

    # --- failed hosts --------------------------------------------------------

    def set_compute_enabled(self, host, enabled):
        [service] = self.admin.services.list(host=host, binary='nova-compute')
        if enabled:
            self.admin.services.enable(service.id)
        else:
            # Enabled again once the test is done (NovaBlazarTestCase).
            self.admin.services.disable(service.id)

    def wait_for_lease_flags(self, session, lease_id, degraded):
        deadline = time.monotonic() + 10 * RECONCILE_INTERVAL + 30
        while True:
            lease = self.blazar_client(session).lease.get(lease_id)
            if lease['degraded'] == degraded:
                return lease
            if time.monotonic() > deadline:
                self.fail('lease never had degraded=%s: %s'
                          % (degraded, lease))
            time.sleep(0.5)

    def assert_degraded_while_down(self, owner, lease_id, spare):
        """With ``spare``, the last host able to take over, down, the
        lease is degraded until it comes back; the lease then."""
        self.set_compute_enabled(spare, False)
        lease = self.wait_for_lease_flags(owner.session, lease_id, True)
        self.assertTrue(lease['reservations'][0]['missing_resources'])
        self.set_compute_enabled(spare, True)
        lease = self.wait_for_lease_flags(owner.session, lease_id, False)
        self.assertFalse(lease['reservations'][0]['missing_resources'])
        return lease

    def wait_until_reservable(self, name):
        deadline = time.monotonic() + 10 * RECONCILE_INTERVAL + 30
        while not [host for host in self.admin_blazar.host.list()
                   if host['hypervisor_hostname'] == name
                   and host['reservable']]:
            if time.monotonic() > deadline:
                self.fail('host %s never became reservable' % name)
            time.sleep(0.5)


@test_cloud.skip_unless_cloud
class HostReservationTest(HostReservationTestCase):

    def setUp(self):
        super().setUp()
        self.flavor = self.admin.flavors.create(
            'hosts-%s' % uuid.uuid4().hex[:8], ram=64, vcpus=1, disk=1)
        self.addCleanup(self.flavor.delete)

    def boot(self, user, hints=None):
        nova = self.cloud.nova(user.session)
        server = nova.servers.create(
            'hosts-%s' % uuid.uuid4().hex[:8], self.cloud.image_id,
            self.flavor.id, nics='none', scheduler_hints=hints or {})
        self.addCleanup(test_cloud.delete_server, self.admin, server.id)
        return server

    # --- enrollment ----------------------------------------------------------

    def test_enrollment_reads_the_hypervisor_named_exactly(self):
        # Nova's hostname search is a pattern: 'compute' matches every
        # compute, yet it names none of them.
        self.assertBlazarError(404, "Host 'compute' not found!",
                               self.admin_blazar.host.create, name='compute')
        self.assertBlazarError(404, "Host 'no-such-host' not found!",
                               self.admin_blazar.host.create,
                               name='no-such-host')
        hypervisor = [h for h in self.admin.hypervisors.list()
                      if h.hypervisor_hostname == self.reserved_host][0]

        host = self.enroll(self.reserved_host)

        self.assertEqual(self.reserved_host, host['hypervisor_hostname'])
        self.assertEqual(hypervisor.id, host['hypervisor_id'])
        self.assertEqual(self.reserved_host, host['service_name'])
        # blazar_cloud_virt.SmallNode, as the compute told Placement.
        self.assertEqual((8, 16384, 200), (host['vcpus'], host['memory_mb'],
                                           host['local_gb']))
        self.assertEqual('nova', host['availability_zone'])
        self.assertEqual({self.reserved_host}, self._freepool_hosts())

        self.admin_blazar.host.delete(host['id'])
        self.assertEqual(set(), self._freepool_hosts())

    def test_host_running_servers_is_not_enrolled(self):
        user = self.useFixture(test_cloud.ProjectUser(self.cloud))
        server = test_cloud.wait_for_server(
            self.admin, self.boot(user).id, 'ACTIVE')
        host = getattr(server, HOST_ATTR)

        self.assertBlazarError(
            409, 'Servers [%s] found for host %s' % (server.id, host),
            self.admin_blazar.host.create, name=host)
        self.assertEqual(set(), self._managed_hosts())

    # --- reservations --------------------------------------------------------

    def test_reserved_host_serves_only_its_lease(self):
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        stranger = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease, reservation_id = self.start_lease(owner, self.reserved_host)
        aggregate = self._aggregate(reservation_id)
        self.assertEqual([self.reserved_host], aggregate.hosts)
        self.assertEqual('blazar_' + reservation_id,
                         aggregate.availability_zone)
        self.assertEqual(owner.project_id,
                         aggregate.metadata['blazar:owner'])
        self.assertEqual(set(), self._freepool_hosts())
        # Drift: the reserved host lands in the freepool as well; the
        # manager takes it out again.
        self.admin.aggregates.add_host(
            self._aggregate(self.cloud.freepool), self.reserved_host)
        self.wait_for_layout({self.cloud.freepool: set(),
                              reservation_id: {self.reserved_host}})

        hint = {'reservation': reservation_id}
        reserved = self.boot(owner, hint)
        refused = self.boot(stranger, hint)
        ordinary = self.boot(owner)
        reserved = test_cloud.wait_for_server(self.admin, reserved.id,
                                              'ACTIVE')
        self.assertEqual(self.reserved_host, getattr(reserved, HOST_ATTR))
        refused = test_cloud.wait_for_server(self.admin, refused.id, 'ERROR')
        self.assertIn('No valid host', refused.fault['message'])
        ordinary = test_cloud.wait_for_server(self.admin, ordinary.id,
                                              'ACTIVE')
        self.assertEqual(self.free_host, getattr(ordinary, HOST_ATTR))

        ending = utcnow()
        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        self.addDetail('lease-end-seconds', content.text_content(
            '%.1f' % (utcnow() - ending).total_seconds()))
        self.assertRaises(nova_exc.NotFound, self.admin.servers.get,
                          reserved.id)
        self.assertIsNone(self._aggregate(reservation_id))
        self.assertEqual({self.reserved_host}, self._freepool_hosts())
        test_cloud.wait_for_server(self.admin, ordinary.id, 'ACTIVE')

    def test_start_deletes_servers_forced_onto_a_freepool_host(self):
        self.enroll(self.reserved_host)
        # Only an administrator's forced host gets past the filter.
        forced = self.admin.servers.create(
            'forced-%s' % uuid.uuid4().hex[:8], self.cloud.image_id,
            self.flavor.id, nics='none',
            availability_zone='nova:%s' % self.reserved_host)
        self.addCleanup(test_cloud.delete_server, self.admin, forced.id)
        forced = test_cloud.wait_for_server(self.admin, forced.id, 'ACTIVE')
        self.assertEqual(self.reserved_host, getattr(forced, HOST_ATTR))
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease, reservation_id = self.start_lease(owner, self.reserved_host)

        self.assertRaises(nova_exc.NotFound, self.admin.servers.get,
                          forced.id)
        self.assertEqual([self.reserved_host],
                         self._aggregate(reservation_id).hosts)
        owner.session.delete('%s/leases/%s' % (self.blazar.url, lease['id']))
        self.assertEqual({self.reserved_host}, self._freepool_hosts())

    def test_snapshot_before_the_end_belongs_to_the_lease_project(self):
        """``before_end = snapshot`` acts for the lease's owner through
        the lease's trust, so the image is theirs, not Blazar's."""
        self.enroll(self.reserved_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        start = utcnow() + datetime.timedelta(seconds=5)
        lease = self.create_lease(
            owner, start, start + datetime.timedelta(minutes=10),
            self.reserved_host, before_end='snapshot',
            before_end_date=start + datetime.timedelta(minutes=5))
        reservation_id = lease['reservations'][0]['id']
        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        server = test_cloud.wait_for_server(
            self.admin, self.boot(owner, {'reservation': reservation_id}).id,
            'ACTIVE')

        # The snapshot is taken now that there is a server to take.
        soon = wire_date(utcnow() + datetime.timedelta(seconds=2))
        owner.session.put('%s/leases/%s' % (self.blazar.url, lease['id']),
                          json={'before_end_date': soon})
        image = self.wait_for_image(owner, 'reserved_' + server.name)
        self.assertEqual(owner.project_id, image['owner'])

    def wait_for_image(self, user, name):
        """The image ``name`` as ``user`` sees it, once it exists."""
        glance = self.cloud.endpoints['image'] + '/v2/images'
        deadline = time.monotonic() + LEASE_STATUS_TIMEOUT
        while True:
            images = user.session.get(glance, params={'name': name}).json()[
                'images']
            if images:
                self.addCleanup(self.cloud.admin_session().delete,
                                glance + '/' + images[0]['id'])
                return images[0]
            if time.monotonic() > deadline:
                self.fail('no image %s after %d s'
                          % (name, LEASE_STATUS_TIMEOUT))
            time.sleep(0.5)

    # --- failed hosts --------------------------------------------------------

    def test_failed_hosts_healed_then_active_reservation_grows(self):
        self.enroll(self.reserved_host)
        self.enroll(self.free_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        lease, reservation_id = self.start_lease(owner)
        [held] = self._aggregate(reservation_id).hosts
        [spare] = {self.reserved_host, self.free_host} - {held}

        # The held host goes into maintenance: the spare one replaces it.
        self.set_compute_enabled(held, False)
        self.wait_for_layout({self.cloud.freepool: {held},
                              reservation_id: {spare}})
        lease = self.blazar_client(owner.session).lease.get(lease['id'])
        self.assertFalse(lease['degraded'])
        self.assertTrue(lease['reservations'][0]['resources_changed'])

        # Then the replacement fails too, with no host left to take over.
        lease = self.assert_degraded_while_down(owner, lease['id'], spare)
        self.assertEqual([spare], self._aggregate(reservation_id).hosts)

        # Back from maintenance, the first host is reservable again; the
        # active reservation grows onto it, in Nova as soon as it answers.
        self.set_compute_enabled(held, True)
        self.wait_until_reservable(held)
        owner.session.put('%s/leases/%s' % (self.blazar.url, lease['id']),
                          json={'reservations': [
                              {'id': reservation_id, 'max': 2}]})
        self.assertEqual({held, spare},
                         set(self._aggregate(reservation_id).hosts))
        self.assertEqual(set(), self._freepool_hosts())
        # Ended while the manager repairs drift every few seconds: both
        # hosts go back to the freepool.
        owner.session.delete('%s/leases/%s' % (self.blazar.url, lease['id']))
        self.assertIsNone(self._aggregate(reservation_id))
        self.assertEqual({held, spare}, self._freepool_hosts())

    # --- drift ---------------------------------------------------------------

    def test_reconciler_puts_hosts_back_where_blazar_has_them(self):
        self.enroll(self.reserved_host)
        self.enroll(self.free_host)
        # One host falls out of every Blazar aggregate, the other is also
        # put in a reservation-looking aggregate Blazar knows nothing of.
        freepool = self._aggregate(self.cloud.freepool)
        self.admin.aggregates.remove_host(freepool, self.reserved_host)
        stray_name = 'stray-%s' % uuid.uuid4().hex[:8]
        stray = self.admin.aggregates.create(stray_name,
                                             'blazar_' + stray_name)
        self.admin.aggregates.add_host(stray, self.free_host)

        self.wait_for_layout({
            self.cloud.freepool: {self.reserved_host, self.free_host},
            stray_name: set()})


@test_cloud.skip_unless_cloud
class NovaNotificationHealingTest(HostReservationTestCase):
    """Nova's own versioned notifications drive healing: the periodic
    health check is an hour away, so only the ``service.update`` Nova
    sends when an operator disables or enables a nova-compute can make
    the manager look at the hosts in time."""

    health_options = {'health_check_interval': 3600,
                      'enable_notification_monitor': True}

    @classmethod
    def setUpClass(cls):
        cls.pool = test_cloud.NotificationPool(test_cloud.ensure_cloud())
        cls.pool.setUp()
        cls.blazar_sections = dict(cls.pool.blazar_sections(),
                                   **{'physical:host': cls.health_options})
        try:
            super().setUpClass()
        except BaseException:
            cls.pool.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.pool.cleanUp()

    def held_hosts(self, lease_id):
        names = {host['id']: host['hypervisor_hostname']
                 for host in self.admin_blazar.host.list()}
        return {names[allocation['resource_id']]
                for allocation in self.admin_blazar.allocation.list(
                    'os-hosts')
                if any(reservation['lease_id'] == lease_id
                       for reservation in allocation['reservations'])}

    def wait_for_held_hosts(self, lease_id, hosts):
        deadline = time.monotonic() + NOTIFICATION_TIMEOUT
        while self.held_hosts(lease_id) != hosts:
            if time.monotonic() > deadline:
                self.fail('lease %s holds %s, wanted %s' % (
                    lease_id, self.held_hosts(lease_id), hosts))
            time.sleep(0.2)

    def test_disabled_compute_heals_its_reservation_at_once(self):
        self.enroll(self.reserved_host)
        self.enroll(self.free_host)
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        # Starting within the healing horizon, but not during the test:
        # no aggregate moves in Nova to wait for.
        start = utcnow() + datetime.timedelta(minutes=30)
        lease = self.create_lease(owner, start,
                                  start + datetime.timedelta(hours=1))
        [held] = self.held_hosts(lease['id'])
        [spare] = {self.reserved_host, self.free_host} - {held}

        self.set_compute_enabled(held, False)
        self.wait_for_held_hosts(lease['id'], {spare})
        lease = self.blazar_client(owner.session).lease.get(lease['id'])
        self.assertFalse(lease['degraded'])

        lease = self.assert_degraded_while_down(owner, lease['id'], spare)
        self.assertEqual({spare}, self.held_hosts(lease['id']))
        self.set_compute_enabled(held, True)
        self.wait_until_reservable(held)


@test_cloud.skip_unless_cloud
class NovaUnavailableTest(testtools.TestCase):
    """Nova away: enrollment fails at once with 503, never hangs."""

    def setUp(self):
        super().setUp()
        self.cloud = test_cloud.ensure_cloud()

    def enroll(self, blazar):
        started = time.monotonic()
        response = blazar_session().post(
            blazar.url + '/os-hosts', json={'name': 'compute-1'},
            raise_exc=False)
        return response, time.monotonic() - started

    def test_refused_connection(self):
        closed = blazar_fixtures.free_port()
        blazar = self.useFixture(NovaBlazar(
            self.cloud, auth_strategy='noauth',
            endpoint_override='http://127.0.0.1:%d/v2.1' % closed))
        response, _took = self.enroll(blazar)
        self.assertEqual(503, response.status_code, response.text)
        self.assertIn('Nova cannot be reached', response.json()[
            'error_message'])

    def test_silent_nova_times_out(self):
        silent = self.useFixture(SilentServer())
        blazar = self.useFixture(NovaBlazar(
            self.cloud, auth_strategy='noauth', timeout=2,
            endpoint_override='http://127.0.0.1:%d/v2.1' % silent.port))
        response, took = self.enroll(blazar)
        self.assertEqual(503, response.status_code, response.text)
        self.assertLess(took, 15)


def blazar_session():
    """Requests as the admin of Blazar's noauth mode."""
    return ks_session.Session(additional_headers={
        'X-User-Id': 'admin', 'X-Project-Id': 'admin',
        'X-Roles': 'admin,member,reader'})


class SilentServer(fixtures.Fixture):
    """A port that accepts connections and never answers."""

    def _setUp(self):
        self.socket = socket.socket()
        self.addCleanup(self.socket.close)
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]

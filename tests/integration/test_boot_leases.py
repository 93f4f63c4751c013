"""Leases made at a server's boot, in the test cloud, through a real
Blazar listening to the real Nova's versioned notifications.

A blazar-all (see test_instance_reservation) enrolls one compute and
listens, in a notification pool of its own, where the cloud's Nova sends
``instance.create.end``. Fresh projects boot servers of an ordinary
flavor, which Nova places on the other compute: a server booted with
``blazar:lease_end`` gets a lease (a server_id reservation on the
enrolled compute, where its start moves it), a future
``blazar:lease_start`` shelves it until then, invalid metadata gets
``blazar:error``, and a server of a default-lease project gets a lease of
``default_lease_duration`` (deleted with the server). Runs only with
BLAZAR_TEST_CLOUD=1, holding the host-layout lock.
"""

import datetime
import time

import fixtures
from testtools import content

from tests.integration import cloud as test_cloud
from tests.integration import test_host_reservation as hosts_test
from tests.integration import test_instance_reservation as instances_test

HOST_ATTR = hosts_test.HOST_ATTR
WIRE = '%Y-%m-%dT%H:%M:%S.%f'
DEFAULT_DURATION = 3600
# Nova sends instance.create.end once the server is ACTIVE; the manager
# writes on the server within a second or so of it.
LABEL_TIMEOUT = 60


@test_cloud.skip_unless_cloud
class BootLeaseTest(instances_test.InstanceCloudTestCase):

    @classmethod
    def setUpClass(cls):
        cloud = test_cloud.ensure_cloud()
        cls.shared = fixtures.Fixture()
        cls.shared.setUp()
        try:
            pool = cls.shared.useFixture(test_cloud.NotificationPool(cloud))
            # The default-lease project exists before Blazar starts,
            # which reads the list once.
            cls.lab = cls.shared.useFixture(
                test_cloud.ProjectUser(cloud, prefix='blazar-lab'))
            bus = cloud.notifications
            cls.blazar_sections = dict(pool.blazar_sections(), **{
                'virtual:instance': {
                    'on_end': 'delete', 'leases_at_boot': True,
                    'notification_exchange': bus['exchange'],
                    'notification_topics': bus['topic'],
                    'default_lease_projects': cls.lab.project_id,
                    'default_lease_duration': DEFAULT_DURATION}})
            super().setUpClass()
        except BaseException:
            cls.shared.cleanUp()
            raise

    @classmethod
    def start_blazar(cls):
        super().start_blazar()
        # Only from now on does the pool's queue exist.
        cls.blazar.process.wait_for_log('Listening to notifications')

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.shared.cleanUp()

    def setUp(self):
        super().setUp()
        self.addDetail('blazar-all-log', content.content_from_file(
            self.blazar.process.log_path, buffer_now=False))
        self.enroll(self.reserved_host)

    def boot_with(self, user, metadata=None):
        """A server of the ordinary flavor, ACTIVE on the other compute."""
        nova = self.cloud.nova(user.session)

        def boot():
            server = nova.servers.create(
                'boot-%s' % time.monotonic_ns(), self.cloud.image_id,
                self.ordinary_flavor.id, nics='none', meta=metadata or {})
            self.addCleanup(test_cloud.delete_server, self.admin, server.id)
            return server
        return self.on_free_host(boot)

    def label(self, server, key):
        """What Blazar wrote on the server under ``key`` (or under the
        other of blazar:lease_id and blazar:error: a failure)."""
        other = {'blazar:lease_id': 'blazar:error',
                 'blazar:error': 'blazar:lease_id'}[key]
        deadline = time.monotonic() + LABEL_TIMEOUT
        while True:
            metadata = self.admin.servers.get(server.id).metadata
            if key in metadata:
                return metadata[key]
            self.assertNotIn(other, metadata)
            if time.monotonic() > deadline:
                self.fail('server %s has no %s: %s'
                          % (server.id, key, metadata))
            time.sleep(0.5)

    def measured(self, name, since):
        """Seconds from ``since`` to now, among the test's details."""
        self.addDetail(name + '-seconds', content.text_content('%.1f' % (
            hosts_test.utcnow() - since).total_seconds()))

    def lease_of(self, user, server):
        lease_id = self.label(server, 'blazar:lease_id')
        self.addCleanup(self._delete_lease, user.session, lease_id)
        lease = self.blazar_client(user.session).lease.get(lease_id)
        self.assertEqual([server.id], [r['server_id']
                                       for r in lease['reservations']])
        self.assertEqual((user.project_id, user.user_id, None),
                         (lease['project_id'], lease['user_id'],
                          lease['trust_id']))
        return lease

    def test_lease_chosen_at_boot_runs_then_reclaims_the_server(self):
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        end = hosts_test.utcnow() + datetime.timedelta(minutes=10)
        server = self.boot_with(owner, {
            'blazar:lease_end': end.strftime('%Y-%m-%d %H:%M'),
            'blazar:lease_name': 'chosen-at-boot'})
        booted = hosts_test.utcnow()
        lease = self.lease_of(owner, server)
        self.measured('server-active-to-lease-id', booted)
        self.assertEqual(('chosen-at-boot',
                          end.replace(second=0, microsecond=0)),
                         (lease['name'], datetime.datetime.strptime(
                             lease['end_date'], WIRE)))

        lease = self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        server = test_cloud.wait_for_server(self.admin, server.id, 'ACTIVE')
        self.measured('server-active-to-active-on-reserved-host', booted)
        # The slot Blazar holds for it is on the enrolled host.
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))

        # Its owner ends it, as any lease is changed.
        ending = hosts_test.utcnow()
        self.end_now(owner, lease['id'])
        self.wait_for_lease(owner.session, lease['id'], 'TERMINATED')
        test_cloud.wait_for_server_gone(self.admin, server.id)
        self.measured('end-request-to-server-deleted', ending)

    def test_future_start_at_boot_shelves_the_server_until_then(self):
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        # Far enough for the boot (10 to 20 s on a busy cloud) and the
        # notification to come first.
        start = hosts_test.utcnow() + datetime.timedelta(seconds=40)
        server = self.boot_with(owner, {
            'blazar:lease_start': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'blazar:lease_end': (start + datetime.timedelta(minutes=10))
            .strftime('%Y-%m-%dT%H:%M:%S+00:00')})
        booted = hosts_test.utcnow()
        lease = self.lease_of(owner, server)
        self.assertEqual('PENDING', lease['status'])
        test_cloud.wait_for_server(self.admin, server.id, 'SHELVED_OFFLOADED')
        self.measured('server-active-to-offloaded', booted)

        self.wait_for_lease(owner.session, lease['id'], 'ACTIVE')
        server = test_cloud.wait_for_server(self.admin, server.id, 'ACTIVE')
        self.measured('lease-start-to-active-on-reserved-host',
                      start.replace(microsecond=0))
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))

    def test_invalid_metadata_is_written_on_the_server(self):
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        server = self.boot_with(owner, {'blazar:lease_end': 'soon'})
        self.assertIn('blazar:lease_end: soon is an invalid date',
                      self.label(server, 'blazar:error'))
        self.assertEqual([], self.blazar_client(owner.session).lease.list())
        self.assertEqual('ACTIVE', self.admin.servers.get(server.id).status)

    def test_default_lease_project_server_gets_a_lease(self):
        before = hosts_test.utcnow().replace(microsecond=0)
        server = self.boot_with(self.lab)
        lease = self.lease_of(self.lab, server)
        start, end = (datetime.datetime.strptime(lease[key], WIRE)
                      for key in ('start_date', 'end_date'))
        self.assertLessEqual(before, start)
        self.assertEqual(datetime.timedelta(seconds=DEFAULT_DURATION),
                         end - start)
        # The admin sees who holds it.
        self.assertIn(
            (lease['id'], self.lab.project_id, self.lab.user_id),
            [(found['id'], found['project_id'], found['user_id'])
             for found in self.admin_blazar.lease.list()])
        self.wait_for_lease(self.lab.session, lease['id'], 'ACTIVE')

        # Its server deleted, the lease goes too.
        self.cloud.nova(self.lab.session).servers.delete(server.id)
        self.wait_for_lease_gone(self.lab.session, lease['id'])

    def wait_for_lease_gone(self, session, lease_id):
        deadline = time.monotonic() + hosts_test.LEASE_STATUS_TIMEOUT
        url = '%s/leases/%s' % (self.blazar.url, lease_id)
        while session.get(url, raise_exc=False).status_code != 404:
            if time.monotonic() > deadline:
                self.fail('lease %s still there' % lease_id)
            time.sleep(0.5)

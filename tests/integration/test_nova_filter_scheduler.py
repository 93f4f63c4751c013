"""BlazarFilter inside the test cloud's real nova-scheduler.

A host reservation is laid out in Nova the way Blazar does it (aggregate
named by the reservation id, zone blazar_<id>, blazar:owner=<project>), with
no Blazar API running: the filter must fall back to the aggregate metadata
and say so in the scheduler log. Runs only with BLAZAR_TEST_CLOUD=1.
"""

import pathlib
import uuid

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
import testtools

from tests.integration import cloud as test_cloud
from tests.integration import layout

HOST_ATTR = 'OS-EXT-SRV-ATTR:host'


def blazar_api_answers(url):
    try:
        ks_session.Session().get(url, timeout=2, raise_exc=False)
    except ks_exc.ConnectionError:
        return False
    return True


@test_cloud.skip_unless_cloud
class ReservationHintInSchedulerTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = test_cloud.ensure_cloud()
        # Taken first: tests that run a Blazar API hold it meanwhile.
        self.useFixture(test_cloud.HostLayoutLock(exclusive=True))
        if blazar_api_answers(self.cloud.description['blazar_url']):
            self.skipTest('a Blazar API answers on %s; this test covers the '
                          'scheduler without one'
                          % self.cloud.description['blazar_url'])
        self.admin = self.cloud.nova()
        free = sorted(set(self.cloud.compute_hosts)
                      - layout.blazar_managed_hosts(self.admin,
                                                    self.cloud.freepool))
        self.assertGreaterEqual(len(free), 2, 'needs two hosts outside Blazar')
        self.reserved_host, self.other_hosts = free[0], set(free[1:])

        self.owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        self.reservation_id = str(uuid.uuid4())
        self._reserve_host(self.reserved_host)
        self.flavor = self.admin.flavors.create(
            'filter-%s' % uuid.uuid4().hex[:8], ram=64, vcpus=1, disk=1)
        self.addCleanup(self.flavor.delete)

    def _reserve_host(self, host):
        # Removed with the layout lock (HostLayoutLock).
        aggregate = self.admin.aggregates.create(
            self.reservation_id, 'blazar_' + self.reservation_id)
        self.admin.aggregates.set_metadata(
            aggregate.id, {'blazar:owner': self.owner.project_id})
        self.admin.aggregates.add_host(aggregate.id, host)

    def _boot(self, user, hints=None, count=1):
        nova = self.cloud.nova(user.session)
        name = 'filter-%s' % uuid.uuid4().hex[:8]
        nova.servers.create(name, self.cloud.image_id, self.flavor.id,
                            nics='none', scheduler_hints=hints or {},
                            min_count=count, max_count=count)
        servers = nova.servers.list(search_opts={'name': '^%s' % name})
        for server in servers:
            self.addCleanup(test_cloud.delete_server, self.admin, server.id)
        return servers

    def _wait(self, servers, status):
        return [test_cloud.wait_for_server(self.admin, s.id, status)
                for s in servers]

    def _scheduler_log(self):
        return (pathlib.Path(self.cloud.log_dir)
                / 'nova-scheduler.log').read_text(errors='replace')

    def test_owner_with_hint_lands_on_reserved_host_via_fallback(self):
        [server] = self._wait(
            self._boot(self.owner, {'reservation': self.reservation_id}),
            'ACTIVE')
        self.assertEqual(self.reserved_host, getattr(server, HOST_ATTR))
        log = self._scheduler_log()
        self.assertIn('did not answer the lease check for reservation %s'
                      % self.reservation_id, log)

    def test_ordinary_multi_create_avoids_reserved_host(self):
        # Every instance of the request must keep off the reserved host,
        # though spread weighing makes it the most attractive one.
        servers = self._wait(self._boot(self.owner, count=2), 'ACTIVE')
        self.assertEqual(2, len(servers))
        for server in servers:
            self.assertIn(getattr(server, HOST_ATTR), self.other_hosts)

    def test_other_project_with_hint_finds_no_host(self):
        stranger = self.useFixture(test_cloud.ProjectUser(self.cloud))
        [server] = self._wait(
            self._boot(stranger, {'reservation': self.reservation_id}),
            'ERROR')
        self.assertIn('No valid host', server.fault['message'])

"""The test cloud works: Nova lists its computes and boots a server.

Runs only with BLAZAR_TEST_CLOUD=1. The server is booted by a fresh,
non-admin project (as a Blazar user would), with an ordinary flavor and no
reservation hint, so BlazarFilter must place it on a host Blazar does not
manage.
"""

import uuid

import testtools

from tests.integration import cloud as test_cloud
from tests.integration import layout


@test_cloud.skip_unless_cloud
class CloudSmokeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = test_cloud.ensure_cloud()
        self.admin_nova = self.cloud.nova()

    def test_every_compute_is_an_enabled_hypervisor_that_is_up(self):
        hypervisors = self.admin_nova.hypervisors.list()
        usable = {h.hypervisor_hostname for h in hypervisors
                  if h.state == 'up' and h.status == 'enabled'}
        self.assertEqual(set(self.cloud.compute_hosts), usable)

    def test_ordinary_server_boots_on_unmanaged_host_and_deletes(self):
        self.useFixture(test_cloud.HostLayoutLock(exclusive=False))
        free_hosts = (set(self.cloud.compute_hosts)
                      - layout.blazar_managed_hosts(self.admin_nova,
                                                    self.cloud.freepool))
        self.assertNotEqual(set(), free_hosts,
                            'every compute is managed by Blazar; a test '
                            'left hosts in the freepool or a reservation')
        flavor = self.admin_nova.flavors.create(
            'smoke-%s' % uuid.uuid4().hex[:8], ram=64, vcpus=1, disk=1)
        self.addCleanup(flavor.delete)

        user = self.useFixture(test_cloud.ProjectUser(self.cloud))
        nova = self.cloud.nova(user.session)
        server = nova.servers.create('smoke-%s' % uuid.uuid4().hex[:8],
                                     self.cloud.image_id, flavor.id,
                                     nics='none')
        self.addCleanup(test_cloud.delete_server, self.admin_nova, server.id)

        test_cloud.wait_for_server(nova, server.id, 'ACTIVE')
        placed = self.admin_nova.servers.get(server.id)
        self.assertIn(getattr(placed, 'OS-EXT-SRV-ATTR:host'), free_hosts)

        nova.servers.delete(server.id)
        test_cloud.wait_for_server_gone(nova, server.id)

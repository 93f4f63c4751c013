"""Restoring the test cloud's host layout (tests/integration/layout.py).

The layout is dirtied the way failed or killed tests leave it, and
beside it things of the cloud's own that look alike but are not
Blazar's; the restore must leave exactly the baseline. Runs only with
BLAZAR_TEST_CLOUD=1, holding the host-layout lock exclusively.
"""

import uuid

from novaclient import exceptions as nova_exc
import testtools

from tests.integration import cloud as test_cloud
from tests.integration import layout


@test_cloud.skip_unless_cloud
class HostLayoutRestoreTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = test_cloud.ensure_cloud()
        self.useFixture(test_cloud.HostLayoutLock(exclusive=True))
        self.nova = self.cloud.nova()
        self.session = self.cloud.admin_session()
        self.first, self.second = sorted(self.cloud.compute_hosts)[:2]
        self.reservation_id = str(uuid.uuid4())
        self.images = self.cloud.endpoints['image'] + '/v2/images'

    def placement(self, method, path, **kwargs):
        return self.session.request(
            self.cloud.endpoints['placement'] + path, method,
            headers=layout.PLACEMENT_HEADERS, **kwargs)

    def test_restore_leaves_the_baseline_and_the_clouds_own_things(self):
        server = self.leave_a_test_server()
        self.leave_reservation_aggregate(self.first)
        self.nova.aggregates.add_host(self.freepool(), self.second)
        resource_class = self.leave_reservation_inventory(self.first)
        flavor = self.nova.flavors.create(
            'reservation:' + self.reservation_id, ram=64, vcpus=1, disk=1,
            flavorid=self.reservation_id, is_public=False)
        flavor.set_keys({layout.RESERVATION_FLAVOR_SPEC: self.reservation_id,
                         'resources:%s' % resource_class: '1'})
        snapshot = self.session.post(self.images, json={
            'name': layout.SNAPSHOT_PREFIX + 'layout',
            'disk_format': 'raw', 'container_format': 'bare'}).json()
        [service] = self.nova.services.list(host=self.second,
                                            binary='nova-compute')
        self.nova.services.disable(service.id)
        self.nova.services.force_down(service.id, True)
        # The cloud's own: an aggregate and a flavor Blazar did not make.
        own_aggregate = self.nova.aggregates.create(
            'operator-%s' % uuid.uuid4().hex[:8], None)
        self.addCleanup(self.nova.aggregates.delete, own_aggregate)
        self.nova.aggregates.add_host(own_aggregate, self.first)
        self.addCleanup(self.nova.aggregates.remove_host, own_aggregate,
                        self.first)
        own_flavor = self.nova.flavors.create(
            'operator-%s' % uuid.uuid4().hex[:8], ram=64, vcpus=1, disk=1)
        self.addCleanup(own_flavor.delete)

        layout.restore(self.cloud)

        self.assertEqual(
            {self.cloud.freepool: [], own_aggregate.name: [self.first]},
            {aggregate.name: aggregate.hosts
             for aggregate in self.nova.aggregates.list()})
        self.assertEqual(
            {(host, 'enabled', False) for host in self.cloud.compute_hosts},
            {(service.host, service.status, service.forced_down)
             for service in self.nova.services.list(binary='nova-compute')})
        # Schedulable again, not only enabled.
        for host in self.cloud.compute_hosts:
            [compute] = self.providers_named(host)
            self.assertNotIn(layout.DISABLED_TRAIT, self.placement(
                'GET', '/resource_providers/%s/traits' % compute['uuid'])
                .json()['traits'])
        flavors = {f.id for f in self.nova.flavors.list(is_public=None)}
        self.assertNotIn(self.reservation_id, flavors)
        self.assertIn(own_flavor.id, flavors)
        [child] = self.providers_named('blazar_' + self.first)
        self.assertEqual({}, self.placement(
            'GET', '/resource_providers/%s/inventories' % child['uuid'])
            .json()['inventories'])
        self.assertEqual(404, self.placement(
            'GET', '/resource_classes/' + resource_class,
            raise_exc=False).status_code)
        self.assertRaises(nova_exc.NotFound, self.nova.servers.get, server.id)
        images = {image['id'] for image in self.session.get(self.images)
                  .json()['images']}
        self.assertNotIn(snapshot['id'], images)
        self.assertIn(self.cloud.image_id, images)

    def freepool(self):
        [freepool] = [aggregate for aggregate in self.nova.aggregates.list()
                      if aggregate.name == self.cloud.freepool]
        return freepool

    def leave_a_test_server(self):
        """An ACTIVE server of a test project, left behind (no cleanup)."""
        owner = self.useFixture(test_cloud.ProjectUser(self.cloud))
        flavor = self.nova.flavors.create(
            'layout-%s' % uuid.uuid4().hex[:8], ram=64, vcpus=1, disk=1)
        self.addCleanup(flavor.delete)
        server = self.cloud.nova(owner.session).servers.create(
            'layout-%s' % uuid.uuid4().hex[:8], self.cloud.image_id,
            flavor.id, nics='none')
        return test_cloud.wait_for_server(self.nova, server.id, 'ACTIVE')

    def leave_reservation_aggregate(self, host):
        """An instance reservation's aggregate as Blazar makes it."""
        aggregate = self.nova.aggregates.create(self.reservation_id, None)
        self.nova.aggregates.set_metadata(aggregate, {
            'reservation': self.reservation_id,
            'blazar:server': str(uuid.uuid4())})
        self.nova.aggregates.add_host(aggregate, host)

    def leave_reservation_inventory(self, host):
        """Inventory of a reservation's class on the host's Blazar child
        provider; the class's name."""
        resource_class = layout.RESOURCE_CLASS_PREFIX + (
            self.reservation_id.upper().replace('-', '_'))
        [compute] = self.providers_named(host)
        self.placement('POST', '/resource_providers', raise_exc=False, json={
            'name': 'blazar_' + host,
            'parent_provider_uuid': compute['uuid']})
        [child] = self.providers_named('blazar_' + host)
        self.placement('PUT', '/resource_classes/' + resource_class)
        self.placement(
            'PUT', '/resource_providers/%s/inventories' % child['uuid'],
            json={'resource_provider_generation': child['generation'],
                  'inventories': {resource_class: {'total': 2}}})
        return resource_class

    def providers_named(self, name):
        return self.placement('GET', '/resource_providers', params={
            'name': name}).json()['resource_providers']

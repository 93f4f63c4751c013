"""Names and capacities the Nova resources derive (pure logic)."""

import testtools

from blazar.plugins.instances import allocation
from blazar.plugins.instances import nova_resources


def inventory(total, reserved=0, ratio=1.0):
    return {'total': total, 'reserved': reserved, 'allocation_ratio': ratio,
            'min_unit': 1, 'max_unit': total, 'step_size': 1}


class TestNames(testtools.TestCase):

    def test_resource_class_and_specs(self):
        reservation = 'a1b2c3d4-0000-4000-8000-00000000abcd'
        name = 'CUSTOM_RESERVATION_A1B2C3D4_0000_4000_8000_00000000ABCD'
        self.assertEqual(name, nova_resources.resource_class(reservation))
        self.assertEqual(
            {'aggregate_instance_extra_specs:reservation': reservation,
             'resources:' + name: '1'},
            nova_resources.flavor_specs(reservation))


class TestCapacity(testtools.TestCase):

    def test_what_placement_lets_servers_use(self):
        self.assertEqual(
            allocation.Size(32, 15872, 200),
            nova_resources.capacity({
                'VCPU': inventory(8, ratio=4.0),
                'MEMORY_MB': inventory(16384, reserved=512),
                'DISK_GB': inventory(200),
                'CUSTOM_OTHER': inventory(3)}))

    def test_missing_class_gives_nothing_of_it(self):
        self.assertEqual(allocation.Size(8, 0, 0), nova_resources.capacity(
            {'VCPU': inventory(8)}))

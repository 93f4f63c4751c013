"""Healing instance reservations when hosts fail, through the real API.

As in test_host_healing, the static inventory reads the hosts that are
down from ``[physical:host] down_hosts_file`` and the manager's health
check (every second here) looks at it. Slots on a failed host move to
healthy hosts with room (with the reservation's affinity); where none has
room the reservation is ``missing_resources`` and its lease
``degraded`` until the host recovers or room frees up.

Enrolled hosts have room for 4 slots of ``test_instances.SLOT``.
"""

from tests.functional import test_host_healing
from tests.functional import test_hosts
from tests.functional import test_instances


class InstanceHealingTests(test_host_healing.DownHostsFile):

    def slot_lease(self, start, end, amount, status=201, **fields):
        return self.lease(start, end, self.slots(amount, **fields),
                          status=status)

    def flags(self, lease):
        lease = self.get_lease(lease)
        reservation = lease['reservations'][0]
        return (lease['degraded'], reservation['missing_resources'],
                reservation['resources_changed'])

    def test_pending_slots_move_off_a_failed_host(self):
        first, second = self.enroll(), self.enroll()
        window = ('2040-12-01 10:00', '2040-12-01 12:00')
        lease = self.slot_lease(*window, 2)
        self.assertEqual({first['id']: 2}, self.slots_of(lease))

        self.mark_down(first)

        self.wait_until('the slots moved to the healthy host',
                        lambda: self.slots_of(lease) == {second['id']: 2})
        self.assertEqual((False, False, False), self.flags(lease))
        # Both slots moved, and the failed host's room is out of reach of
        # new leases: 2 slots are left in all, on the healthy host.
        error = self.slot_lease(*window, 3, status=409)
        self.assertIn('with room for 2 such instance(s) in all',
                      error['error_message'])

        self.mark_all_up()
        self.wait_until('the host reservable again',
                        lambda: self.reservable(first))
        back = self.slot_lease(*window, 3, affinity=True)
        self.assertEqual({first['id']: 3}, self.slots_of(back))

    def test_anti_affinity_keeps_slots_apart(self):
        hosts = [self.enroll() for _ in range(3)]
        lease = self.slot_lease('2040-12-02 10:00', '2040-12-02 12:00', 2,
                                affinity=False)
        held = set(self.slots_of(lease))
        self.assertEqual({hosts[0]['id'], hosts[1]['id']}, held)

        self.mark_down(hosts[0])

        # Not onto the other host the reservation holds.
        self.wait_until(
            'the slot moved to the third host',
            lambda: self.slots_of(lease) == {hosts[1]['id']: 1,
                                             hosts[2]['id']: 1})
        self.assertEqual((False, False, False), self.flags(lease))

    def test_as_many_slots_move_as_fit(self):
        first, second = self.enroll(), self.enroll()
        lease = self.slot_lease('2040-12-06 10:00', '2040-12-06 12:00', 6)
        self.assertEqual({first['id']: 4, second['id']: 2},
                         self.slots_of(lease))

        self.mark_down(first)

        # The healthy host it holds already takes two more; two find no
        # room and stay, flagged.
        self.wait_until('two slots moved',
                        lambda: self.slots_of(lease) == {first['id']: 2,
                                                         second['id']: 4})
        self.wait_until('the lease degraded',
                        lambda: self.flags(lease) == (True, True, False))
        self.mark_all_up()
        self.wait_until('the lease no longer degraded',
                        lambda: self.flags(lease) == (False, False, False))
        self.assertEqual({first['id']: 2, second['id']: 4},
                         self.slots_of(lease))

    def test_no_room_degrades_the_lease_until_the_host_recovers(self):
        only = self.enroll()
        lease = self.slot_lease('2040-12-03 10:00', '2040-12-03 12:00', 2)

        self.mark_down(only)

        self.wait_until('the lease degraded',
                        lambda: self.flags(lease) == (True, True, False))
        # The slots stay: back in service, the host is the lease's again.
        self.assertEqual({only['id']: 2}, self.slots_of(lease))
        self.mark_all_up()
        self.wait_until('the lease no longer degraded',
                        lambda: self.flags(lease) == (False, False, False))
        self.assertEqual({only['id']: 2}, self.slots_of(lease))

    def test_room_freed_later_heals_the_degraded_lease(self):
        window = ('2040-12-04 10:00', '2040-12-04 12:00')
        first = self.enroll()
        lease = self.slot_lease(*window, 2)
        second = self.enroll()
        full = self.slot_lease(*window, 4, affinity=True)
        self.assertEqual({second['id']: 4}, self.slots_of(full))
        self.mark_down(first)
        self.wait_until('the lease degraded', lambda: self.flags(lease)[0])

        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % full['id']).status_code)

        self.wait_until('the slots moved to the freed host',
                        lambda: self.slots_of(lease) == {second['id']: 2})
        self.wait_until('the lease no longer degraded',
                        lambda: self.flags(lease) == (False, False, False))

    def test_active_slots_move_off_a_failed_host(self):
        first, second = self.enroll(), self.enroll()
        lease = self.slot_lease('now', test_hosts.in_minutes(30), 2)
        self.wait_until('the lease active',
                        lambda: self.get_lease(lease)['status'] == 'ACTIVE')
        self.assertEqual({first['id']: 2}, self.slots_of(lease))

        self.mark_down(first)

        self.wait_until('the slots moved to the healthy host',
                        lambda: self.slots_of(lease) == {second['id']: 2})
        self.assertEqual('ACTIVE', self.get_lease(lease)['status'])
        self.assertEqual((False, False, True), self.flags(lease))
        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)

    def test_host_and_slot_reservations_heal_in_one_check(self):
        first, second = self.enroll(), self.enroll()
        window = ('2040-12-05 10:00', '2040-12-05 12:00')
        both = self.lease(*window, self.reservation(1, 1, properties=[
            '==', '$hypervisor_hostname', first['hypervisor_hostname']]),
            self.slots(1, properties=['==', '$hypervisor_hostname',
                                      second['hypervisor_hostname']]))
        self.assertEqual({first['id'], second['id']}, self.hosts_of(both))

        # The slots' only matching host fails: the lease is degraded,
        # whatever happens to its host reservation.
        self.mark_down(second)

        degraded = self.wait_until(
            'the lease degraded',
            lambda: self.get_lease(both)['degraded'] and self.get_lease(both))
        missing = {r['resource_type']: r['missing_resources']
                   for r in degraded['reservations']}
        self.assertEqual({'physical:host': False, 'virtual:instance': True},
                         missing)
        self.mark_all_up()
        self.wait_until('the lease no longer degraded',
                        lambda: not self.get_lease(both)['degraded'])


class InstanceHealingTest(InstanceHealingTests,
                          test_instances.InstancesTestCase):
    pass


class MariaDBSplitInstanceHealingTest(test_hosts.SecondManager,
                                      InstanceHealingTests,
                                      test_instances.InstancesTestCase):
    """Two managers heal at the same time: one of them moves each slot,
    the other finds the row changed (compare-and-swap) and looks again."""

    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitInstanceHealingTest(InstanceHealingTests,
                                         test_instances.InstancesTestCase):
    backend = 'postgresql'
    topology = 'split'

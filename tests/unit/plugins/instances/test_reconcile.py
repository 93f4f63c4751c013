"""Deciding how active slot reservations drifted from the books
(instances.reconcile)."""

import testtools

from blazar.plugins.instances import reconcile
from blazar.plugins.instances import resources

Drift = reconcile.Drift
Seen = resources.Seen


def host(name, slots=0):
    """A host whose service and hypervisor names differ, as they may."""
    return resources.Placement(name + '.hv', name + '-uuid', name, slots)


C1, C2, C3 = host('c1'), host('c2'), host('c3')
ENROLLED = [C1, C2, C3]


def booked(*placements):
    return reconcile.Booked({'id': 'lease'}, {'id': 'r1'}, placements)


def seen(flavors=('r1',), members=None, slots=None):
    return Seen(frozenset(flavors), members or {}, slots or {})


class DriftsTest(testtools.TestCase):

    books = {'r1': booked(host('c1', 2), host('c2', 1))}
    intact = {'members': {'r1': {'c1', 'c2'}},
              'slots': {'r1': {'c1.hv': 2, 'c2.hv': 1}}}

    def drifts(self, **seen_as):
        return reconcile.drifts(self.books, seen(**dict(self.intact,
                                                        **seen_as)),
                                ENROLLED)

    def test_nothing_when_the_outside_matches_the_books(self):
        self.assertEqual([], self.drifts())

    def test_missing_flavor_is_short(self):
        self.assertEqual([Drift('r1', True, ())], self.drifts(flavors=()))

    def test_missing_aggregate_is_short(self):
        self.assertEqual([Drift('r1', True, ())], self.drifts(members={}))

    def test_host_missing_from_the_aggregate_is_short(self):
        self.assertEqual([Drift('r1', True, ())],
                         self.drifts(members={'r1': {'c1'}}))

    def test_missing_inventory_is_short(self):
        self.assertEqual([Drift('r1', True, ())],
                         self.drifts(slots={'r1': {'c1.hv': 2}}))

    def test_wrong_number_of_slots_is_short(self):
        for total in (1, 3):
            self.assertEqual(
                [Drift('r1', True, ())],
                self.drifts(slots={'r1': {'c1.hv': total, 'c2.hv': 1}}))

    def test_host_left_in_the_aggregate_is_extra(self):
        self.assertEqual([Drift('r1', False, (C3,))],
                         self.drifts(members={'r1': {'c1', 'c2', 'c3'}}))

    def test_inventory_left_on_a_host_is_extra(self):
        self.assertEqual(
            [Drift('r1', False, (C3,))],
            self.drifts(slots={'r1': {'c1.hv': 2, 'c2.hv': 1, 'c3.hv': 1}}))

    def test_short_and_extra_at_once(self):
        self.assertEqual(
            [Drift('r1', True, (C3,))],
            self.drifts(members={'r1': {'c1', 'c3'}}))

    def test_other_reservations_on_the_hosts_do_not_count(self):
        self.assertEqual([], self.drifts(
            members={'r1': {'c1', 'c2'}, 'r2': {'c3'}},
            slots={'r1': {'c1.hv': 2, 'c2.hv': 1}, 'r2': {'c3.hv': 4}}))

    def test_each_drifted_reservation_once_in_id_order(self):
        books = {'r2': booked(host('c3', 1)), 'r1': booked(host('c1', 1))}
        self.assertEqual(
            [Drift('r1', True, ()), Drift('r2', True, ())],
            reconcile.drifts(books, seen(flavors=()), ENROLLED))


class DescribeTest(testtools.TestCase):

    def test_says_what_is_short_and_where_it_is_left(self):
        self.assertEqual(
            'short of its flavor, aggregate or slots; still on hosts c3.hv',
            Drift('r1', True, (C3,)).describe())

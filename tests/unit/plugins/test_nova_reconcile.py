"""Deciding where enrolled hosts belong in Nova (nova_reconcile)."""

import types

import testtools

from blazar.plugins.hosts import nova_reconcile as reconcile
from blazar import states

Place = reconcile.Place
Move = reconcile.Move
FREEPOOL = 'freepool'


def row(host, lease=None, reservation=None, reservation_id=None,
        project=None):
    return (host, lease, reservation, reservation_id, project)


class ExpectedPlacesTest(testtools.TestCase):

    def places(self, *rows):
        return reconcile.expected_places(rows, FREEPOOL)

    def test_host_without_holdings_belongs_in_the_freepool(self):
        self.assertEqual({'c1': Place(FREEPOOL)}, self.places(row('c1')))

    def test_active_reservation_holds_its_host(self):
        self.assertEqual(
            {'c1': Place('r1', 'p1')},
            self.places(row('c1', states.ACTIVE, states.RES_ACTIVE, 'r1',
                            'p1')))

    def test_future_lease_leaves_the_host_in_the_freepool(self):
        self.assertEqual(
            {'c1': Place(FREEPOOL)},
            self.places(row('c1', states.PENDING, states.RES_PENDING, 'r2',
                            'p2')))

    def test_active_reservation_wins_over_later_ones(self):
        self.assertEqual(
            {'c1': Place('r1', 'p1')},
            self.places(
                row('c1', states.PENDING, states.RES_PENDING, 'r2', 'p2'),
                row('c1', states.ACTIVE, states.RES_ACTIVE, 'r1', 'p1')))

    def test_hosts_of_leases_in_flight_or_in_error_are_left_alone(self):
        for status in (states.STARTING, states.TERMINATING, states.UPDATING,
                       states.DELETING, states.ERROR):
            self.assertEqual(
                {'c2': Place(FREEPOOL)},
                self.places(row('c1', status, states.RES_ACTIVE, 'r1', 'p1'),
                            row('c2')),
                status)

    def test_one_unsettled_holding_is_enough_to_leave_a_host_alone(self):
        self.assertEqual({}, self.places(
            row('c1', states.ACTIVE, states.RES_ACTIVE, 'r1', 'p1'),
            row('c1', states.STARTING, states.RES_PENDING, 'r2', 'p2')))


class MovesTest(testtools.TestCase):

    def test_hosts_in_place_stay(self):
        places = {'c1': Place(FREEPOOL), 'c2': Place('r1', 'p1')}
        self.assertEqual([], reconcile.moves(
            places, {'c1': {FREEPOOL}, 'c2': {'r1'}}))

    def test_host_in_no_aggregate_goes_to_its_place(self):
        self.assertEqual([Move('c1', Place('r1', 'p1'), frozenset())],
                         reconcile.moves({'c1': Place('r1', 'p1')}, {}))

    def test_host_in_two_aggregates_leaves_the_wrong_one(self):
        self.assertEqual(
            [Move('c1', Place('r1', 'p1'), frozenset({FREEPOOL}))],
            reconcile.moves({'c1': Place('r1', 'p1')},
                            {'c1': {FREEPOOL, 'r1'}}))

    def test_host_in_the_wrong_aggregate_moves(self):
        self.assertEqual(
            [Move('c1', Place(FREEPOOL), frozenset({'r9'}))],
            reconcile.moves({'c1': Place(FREEPOOL)}, {'c1': {'r9'}}))

    def test_hosts_blazar_does_not_know_are_not_touched(self):
        self.assertEqual([], reconcile.moves({}, {'other': {FREEPOOL}}))


class BlazarAggregatesTest(testtools.TestCase):

    def test_freepool_and_reservation_zones_only(self):
        def aggregate(name, zone):
            return types.SimpleNamespace(name=name, availability_zone=zone)

        found = reconcile.blazar_aggregates(
            [aggregate(FREEPOOL, None), aggregate('r1', 'blazar_r1'),
             aggregate('ops', 'az1'), aggregate('plain', None)],
            FREEPOOL, 'blazar_')
        self.assertEqual([FREEPOOL, 'r1'], [a.name for a in found])

"""Finding and claiming free hosts in SQL, on SQLite, MariaDB and
PostgreSQL: which hosts a window finds, in which order, how many, and
that two transactions can never both claim one host."""

import datetime
import random

import sqlalchemy as sa
from sqlalchemy import orm
import testtools

from blazar.db import models as db_models
from blazar import exceptions
from blazar.plugins.hosts import allocation
from blazar.plugins.hosts import models
from tests import fixtures as blazar_fixtures

DAY = datetime.datetime(2040, 1, 1)
HOURS = datetime.timedelta(hours=1)
HOSTS = 8
RESERVATION = 'r-held'


def at(hour):
    return DAY + hour * HOURS


def ids(hosts):
    return [host.id for host in hosts]


class AllocationOnBackend:
    """Mixed into one test class per backend. Hosts 1 to 8; host 3 holds
    hours 10-12, host 5 hours 11-13; host 8 is not reservable."""

    backend = None

    def setUp(self):
        super().setUp()
        self.engine = blazar_fixtures.use_or_skip(
            self, blazar_fixtures.Schema(self.backend)).engine
        with orm.Session(self.engine) as session, session.begin():
            self._seed(session)

    def _seed(self, session):
        session.add_all(models.ComputeHost(
            id=n, hypervisor_hostname='h%d' % n, vcpus=1, memory_mb=1,
            local_gb=1, reservable=n != HOSTS) for n in range(1, HOSTS + 1))
        session.add(db_models.Lease(id='l', name='l', start_date=at(10),
                                    end_date=at(13), status='PENDING'))
        session.add(db_models.Reservation(
            id=RESERVATION, lease_id='l', resource_type='physical:host',
            status='pending'))
        session.flush()
        allocation.allocate(session, RESERVATION, [3], at(10), at(12))
        allocation.allocate(session, RESERVATION, [5], at(11), at(13))

    def free(self, start, end, count, **kwargs):
        with orm.Session(self.engine) as session:
            return ids(allocation.free_hosts(session, sa.true(), at(start),
                                             at(end), count, **kwargs))

    def test_overlapping_windows_are_taken_touching_ones_free(self):
        self.assertEqual([1, 2, 4, 6, 7], self.free(11, 12, 10))
        self.assertEqual([1, 2, 4, 5, 6, 7], self.free(9, 11, 10))
        self.assertEqual([1, 2, 3, 4, 6, 7], self.free(12, 14, 10))
        self.assertEqual([1, 2, 3, 4, 5, 6, 7], self.free(13, 14, 10))

    def test_takes_at_most_count_lowest_ids_first(self):
        self.assertEqual([1, 2, 4], self.free(11, 12, 3))

    def test_walk_begins_at_an_id_and_wraps_around(self):
        self.assertEqual([4, 6, 7, 1], self.free(11, 12, 4, begin=0.5))
        self.assertEqual([6, 7, 1, 2, 4], self.free(11, 12, 10, begin=0.6))

    def test_preferred_hosts_come_first_even_unreservable(self):
        self.assertEqual([7, 8, 1], self.free(11, 12, 3, prefer={7, 8, 3}))
        self.assertEqual([8, 1, 2, 4, 6, 7],
                         self.free(11, 12, 10, prefer={8}, begin=0.1))

    def test_starting_point_anywhere_or_lowest(self):
        self.assertEqual(0, allocation.starting_point(False))
        starts = {allocation.starting_point(True, random.Random(seed))
                  for seed in range(10)}
        self.assertEqual(10, len(starts))
        self.assertTrue(all(0 <= start < 1 for start in starts))

    def test_second_claim_of_a_host_conflicts(self):
        first = orm.Session(self.engine)
        second = orm.Session(self.engine)
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        seen_first = allocation.free_hosts(first, sa.true(), at(20), at(21),
                                           1)
        seen_second = allocation.free_hosts(second, sa.true(), at(22),
                                            at(23), 1)
        self.assertEqual(seen_first, seen_second)
        allocation.claim(first, seen_first)
        first.commit()
        self.assertRaises(exceptions.ClaimConflict, allocation.claim,
                          second, seen_second)
        second.rollback()
        again = allocation.free_hosts(second, sa.true(), at(22), at(23), 1)
        allocation.claim(second, again)
        second.commit()


class TestAllocationSQLite(AllocationOnBackend, testtools.TestCase):
    backend = 'sqlite'


class TestAllocationMySQL(AllocationOnBackend, testtools.TestCase):
    backend = 'mysql'


class TestAllocationPostgreSQL(AllocationOnBackend, testtools.TestCase):
    backend = 'postgresql'

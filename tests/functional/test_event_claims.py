"""Claims on events, on each real database: the queries and the
compare-and-swap that let several managers share one schedule."""

import datetime
import threading

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
import testtools

from blazar import context as blazar_context
from blazar.db import engine
from blazar.db import events as db_events
from blazar.db import leases as db_leases
from blazar.db import migration
from blazar.db import models
from blazar import states
from tests import fixtures as blazar_fixtures

NOW = datetime.datetime(2030, 1, 1, 12, 0, 0)
LATER = NOW + datetime.timedelta(hours=1)


def at(seconds):
    return NOW + datetime.timedelta(seconds=seconds)


class _EventClaims:
    """One migrated database per class; each test starts with no leases."""

    backend = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.database = blazar_fixtures.Database(cls.backend)
        cls.database.setUp()
        conf = cfg.ConfigOpts()
        engine.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override('connection', cls.database.url, group='database')
        cls.facade = enginefacade.transaction_context()
        cls.saved_facade, engine._facade = engine._facade, cls.facade
        engine.configure(conf)
        migration.upgrade('head')

    @classmethod
    def tearDownClass(cls):
        engine._facade = cls.saved_facade
        cls.facade.dispose_pool()
        cls.database.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.patch(engine, '_facade', self.facade)
        self.context = blazar_context.admin_context()
        with engine.writer(self.context) as session:
            session.execute(sa.delete(models.Event))
            session.execute(sa.delete(models.Lease))

    def lease(self, *events):
        """A lease with ``events`` (type, time); returns their ids."""
        with engine.writer(self.context) as session:
            lease = db_leases.add(session, name='l', start_date=NOW,
                                  end_date=LATER, status=states.PENDING)
            session.flush()
            added = [db_events.add(session, lease, event_type, time)
                     for event_type, time in events]
            session.flush()
            return lease.id, [event.id for event in added]

    def claimable(self, now=NOW, limit=100, exclude=()):
        with engine.reader(self.context) as session:
            return [row.id for row in
                    db_events.claimable(session, now, limit, exclude)]

    def claim(self, ids, owner, now=NOW, claim_seconds=30):
        until = now + datetime.timedelta(seconds=claim_seconds)
        with engine.writer(self.context) as session:
            return db_events.claim(session, ids, owner, now, until)

    def finish(self, event_id, owner, status=states.DONE):
        with engine.writer(self.context) as session:
            return db_events.finish(session, event_id, owner, status)

    def event(self, event_id):
        with engine.reader(self.context) as session:
            event = db_events.get(session, event_id)
            return (event.status, event.claimed_by, event.attempts,
                    event.error)

    def test_racing_managers_each_win_different_events(self):
        ids = {self.lease((states.START_LEASE, NOW))[1][0]
               for _ in range(40)}
        won = {}
        start = threading.Barrier(4)

        def manager(owner):
            start.wait()
            mine = set()
            while True:
                candidates = self.claimable(limit=8)
                if not candidates:
                    break
                mine |= self.claim(candidates, owner)
            won[owner] = mine

        threads = [threading.Thread(target=manager, args=('m%d' % n,))
                   for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        everything = [event for mine in won.values() for event in mine]
        self.assertEqual(sorted(ids), sorted(everything))
        for owner, mine in won.items():
            for event_id in mine:
                self.assertEqual((states.IN_PROGRESS, owner, 1, None),
                                 self.event(event_id))

    def test_claim_of_a_taken_event_fails(self):
        _, (event_id,) = self.lease((states.START_LEASE, NOW))
        self.assertEqual({event_id}, self.claim([event_id], 'a'))
        self.assertEqual(set(), self.claim([event_id], 'b'))
        self.assertEqual([], self.claimable())

    def test_expired_claim_is_taken_over_and_the_loser_cannot_finish(self):
        _, (event_id,) = self.lease((states.START_LEASE, NOW))
        self.claim([event_id], 'dead', claim_seconds=5)
        self.assertEqual([], self.claimable(now=at(5)))
        self.assertEqual([event_id], self.claimable(now=at(6)))
        self.assertEqual({event_id},
                         self.claim([event_id], 'alive', now=at(6)))
        self.assertEqual((states.IN_PROGRESS, 'alive', 2, None),
                         self.event(event_id))
        self.assertFalse(self.finish(event_id, 'dead'))
        with engine.writer(self.context) as session:
            self.assertEqual(0, db_events.extend_claims(
                session, [event_id], 'dead', at(60)))
        self.assertTrue(self.finish(event_id, 'alive'))
        self.assertEqual(states.DONE, self.event(event_id)[0])

    def test_heartbeat_keeps_a_claim(self):
        _, (event_id,) = self.lease((states.START_LEASE, NOW))
        self.claim([event_id], 'busy', claim_seconds=5)
        with engine.writer(self.context) as session:
            self.assertEqual(1, db_events.extend_claims(
                session, [event_id], 'busy', at(20)))
        self.assertEqual([], self.claimable(now=at(19)))
        self.assertEqual([event_id], self.claimable(now=at(21)))

    def test_a_lease_events_run_in_order(self):
        _, (end, before_end, start) = self.lease(
            (states.END_LEASE, NOW), (states.BEFORE_END_LEASE, NOW),
            (states.START_LEASE, NOW))
        self.assertEqual([start], self.claimable())
        self.claim([start], 'a')
        self.assertEqual([], self.claimable())
        self.finish(start, 'a')
        self.assertEqual([before_end], self.claimable())
        self.claim([before_end], 'a')
        self.finish(before_end, 'a', states.EVENT_ERROR)
        self.assertEqual([end], self.claimable())

    def test_an_earlier_event_holds_back_a_later_one(self):
        _, (start, end) = self.lease((states.START_LEASE, at(-10)),
                                     (states.END_LEASE, NOW))
        self.assertEqual([start], self.claimable())
        with engine.reader(self.context) as session:
            self.assertEqual(at(-10), db_events.next_due_time(session))
            # The end is held back, so it is no reason to wake up.
            self.assertIsNone(db_events.next_due_time(session,
                                                      exclude={start}))

    def test_failed_event_waits_for_its_retry_time(self):
        _, (event_id,) = self.lease((states.START_LEASE, NOW))
        self.claim([event_id], 'a')
        with engine.writer(self.context) as session:
            db_events.release(session, event_id, 'a', at(8), 'Boom: no')
            self.assertEqual(at(8), db_events.next_due_time(session))
        self.assertEqual((states.UNDONE, None, 1, 'Boom: no'),
                         self.event(event_id))
        self.assertEqual([], self.claimable(now=at(7)))
        self.assertEqual({event_id}, self.claim([event_id], 'b', now=at(8)))
        self.assertEqual(2, self.event(event_id)[2])

    def test_unclaim_does_not_count_an_attempt(self):
        _, (event_id,) = self.lease((states.START_LEASE, NOW))
        self.claim([event_id], 'a')
        with engine.writer(self.context) as session:
            db_events.unclaim(session, event_id, 'a')
        self.assertEqual((states.UNDONE, None, 0, None), self.event(event_id))
        self.assertEqual([event_id], self.claimable())

    def test_unfinished_ends(self):
        lease_a, (end_a,) = self.lease((states.END_LEASE, at(-5)))
        lease_b, (end_b,) = self.lease((states.END_LEASE, NOW))
        lease_c, _ = self.lease((states.END_LEASE, at(5)))
        lease_d, (end_d,) = self.lease((states.END_LEASE, at(-1)))
        self.claim([end_b], 'a')
        self.claim([end_d], 'a')
        self.finish(end_d, 'a', states.EVENT_ERROR)
        with engine.reader(self.context) as session:
            self.assertEqual({lease_a: at(-5), lease_b: NOW},
                             db_events.unfinished_ends(session, NOW))

    def test_excluded_events_are_not_candidates(self):
        _, (one,) = self.lease((states.START_LEASE, NOW))
        _, (two,) = self.lease((states.START_LEASE, NOW))
        self.assertEqual([two], self.claimable(exclude={one}))
        with engine.reader(self.context) as session:
            self.assertIsNone(db_events.next_due_time(session,
                                                      exclude={one, two}))


class SQLiteEventClaimsTest(_EventClaims, testtools.TestCase):
    backend = 'sqlite'


class MariaDBEventClaimsTest(_EventClaims, testtools.TestCase):
    backend = 'mysql'


class PostgreSQLEventClaimsTest(_EventClaims, testtools.TestCase):
    backend = 'postgresql'

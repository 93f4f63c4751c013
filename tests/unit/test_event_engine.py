"""The event engine's decisions that need no database or process."""

import datetime

from oslo_db import exception as db_exception
import testtools

from blazar import exceptions
from blazar.manager import engine

NOW = datetime.datetime(2030, 1, 1, 12, 0, 0)


class RetryPolicyTest(testtools.TestCase):

    def test_backoff_doubles_up_to_a_ceiling(self):
        waits = [engine.backoff(2.0, attempt).total_seconds()
                 for attempt in range(1, 11)]
        self.assertEqual([2, 4, 8, 16, 32, 64, 128, 256, 300, 300], waits)

    def test_what_is_worth_retrying(self):
        transient = [exceptions.ServiceUnavailable(reason='nova'),
                     db_exception.DBConnectionError(),
                     db_exception.DBDeadlock(), ConnectionResetError(),
                     KeyError('bug in a client library')]
        permanent = [exceptions.InvalidStatus(),
                     exceptions.NotFound(object='x'),
                     exceptions.Conflict(reason='refused')]
        self.assertEqual([True] * len(transient),
                         [engine.is_transient(e) for e in transient])
        self.assertEqual([False] * len(permanent),
                         [engine.is_transient(e) for e in permanent])

    def test_a_failed_step_names_its_reservation_and_cause(self):
        error = engine.StepFailed(
            'on_end', {'id': 'r-1', 'resource_type': 'physical:host'},
            exceptions.ServiceUnavailable(reason='nova is away'))
        self.assertEqual(
            'on_end of reservation r-1 (physical:host) failed: '
            'ServiceUnavailable: A service Blazar depends on is '
            'unavailable: nova is away', engine.describe(error))
        self.assertEqual('KeyError: \'x\'', engine.describe(KeyError('x')))


class SchedulingTest(testtools.TestCase):

    def test_sleep_until_the_next_event_within_bounds(self):
        in_3s = NOW + datetime.timedelta(seconds=3)
        self.assertEqual(3.0, engine.seconds_until(in_3s, NOW))
        self.assertEqual(0.0, engine.seconds_until(
            NOW - datetime.timedelta(seconds=3), NOW))
        self.assertEqual(engine.MAX_SLEEP, engine.seconds_until(
            NOW + datetime.timedelta(hours=3), NOW))
        self.assertEqual(engine.MAX_SLEEP, engine.seconds_until(None, NOW))

    def test_claims_what_idle_workers_start_soon(self):
        # Slow steps: a worker's worth, the rest left to other managers.
        self.assertEqual(8, engine.claim_room(8, 0, 5.0))
        self.assertEqual(3, engine.claim_room(3, 0, 5.0))
        self.assertEqual(0, engine.claim_room(0, 0, 5.0))
        # Quick steps: a batch queued ahead of the workers.
        self.assertEqual(engine.CLAIM_BATCH, engine.claim_room(8, 0, 0.001))
        self.assertEqual(10 * 4, engine.claim_room(4, 0, 0.025))
        # Less than half a batch fits: wait for more room.
        self.assertEqual(0, engine.claim_room(8, 8 * 32 - 50, 0.001))
        self.assertEqual(100, engine.claim_room(8, 8 * 32 - 100, 0.001))

    def test_changed_events_wake_the_scheduler_only_if_due_sooner(self):
        later = NOW + datetime.timedelta(seconds=30)
        self.assertFalse(engine.must_look_now(later, NOW))
        self.assertFalse(engine.must_look_now(NOW, NOW))
        self.assertTrue(engine.must_look_now(NOW, later))
        self.assertTrue(engine.must_look_now(None, NOW))
        self.assertTrue(engine.must_look_now(later, None))

    def test_other_managers_are_woken_only_for_events_within_a_sleep(self):
        soon = NOW + datetime.timedelta(seconds=engine.MAX_SLEEP - 1)
        later = NOW + datetime.timedelta(seconds=engine.MAX_SLEEP + 1)
        self.assertTrue(engine.others_may_sleep_past(NOW, NOW))
        self.assertTrue(engine.others_may_sleep_past(soon, NOW))
        self.assertFalse(engine.others_may_sleep_past(later, NOW))

    def test_each_engine_claims_under_its_own_name(self):
        one, two = engine.owner_name('node-1'), engine.owner_name('node-1')
        self.assertNotEqual(one, two)
        self.assertTrue(one.startswith('node-1:'))

import testtools

from blazar import exceptions
from blazar import states


class _Thing:
    def __init__(self, status):
        self.status = status


class TransitionTest(testtools.TestCase):

    def test_lease_lifecycle(self):
        lease = _Thing(states.PENDING)
        for status in (states.STARTING, states.ACTIVE, states.TERMINATING,
                       states.TERMINATED, states.DELETING):
            states.lease_to(lease, status)
        self.assertEqual(states.DELETING, lease.status)

    def test_undeclared_transitions_are_refused(self):
        for start, target in ((states.PENDING, states.ACTIVE),
                              (states.TERMINATED, states.ACTIVE),
                              (states.DELETING, states.PENDING),
                              (states.ACTIVE, states.STARTING)):
            lease = _Thing(start)
            self.assertRaises(exceptions.InvalidStatus, states.lease_to,
                              lease, target)
            self.assertEqual(start, lease.status)

    def test_interrupted_steps_may_be_retried(self):
        for status in (states.STARTING, states.TERMINATING):
            lease = _Thing(status)
            states.lease_to(lease, status)

    def test_reservation_deleted_is_final(self):
        reservation = _Thing(states.RES_DELETED)
        self.assertRaises(exceptions.InvalidStatus, states.reservation_to,
                          reservation, states.RES_ACTIVE)

    def test_every_target_is_a_known_status(self):
        for table in (states.LEASE_TRANSITIONS,
                      states.RESERVATION_TRANSITIONS,
                      states.EVENT_TRANSITIONS):
            for targets in table.values():
                self.assertLessEqual(targets, set(table))

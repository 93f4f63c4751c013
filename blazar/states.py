"""The states of leases, reservations and events, and their transitions.

Every status change goes through ``advance``, or is checked with
``may_advance`` before a set-based UPDATE: a transition not declared here
is an ``InvalidStatus`` error, wherever it is attempted from.
"""

from blazar import exceptions

# Lease statuses (stable, then transitional).
PENDING = 'PENDING'
ACTIVE = 'ACTIVE'
TERMINATED = 'TERMINATED'
ERROR = 'ERROR'
CREATING = 'CREATING'
STARTING = 'STARTING'
UPDATING = 'UPDATING'
TERMINATING = 'TERMINATING'
DELETING = 'DELETING'

STABLE = frozenset({PENDING, ACTIVE, TERMINATED, ERROR})

LEASE_TRANSITIONS = {
    PENDING: {STARTING, UPDATING, DELETING},
    ACTIVE: {TERMINATING, UPDATING, DELETING},
    TERMINATED: {UPDATING, DELETING},
    ERROR: {TERMINATING, UPDATING, DELETING},
    CREATING: {PENDING, DELETING},
    # A claimed start or end may be retried by another manager after a
    # crash, so the transitional states may be re-entered.
    STARTING: {STARTING, ACTIVE, ERROR, DELETING},
    UPDATING: {PENDING, ACTIVE, TERMINATED, ERROR, DELETING},
    TERMINATING: {TERMINATING, TERMINATED, ERROR, DELETING},
    DELETING: {ERROR},
}

# Reservation statuses (lowercase on the wire, as upstream).
RES_PENDING = 'pending'
RES_ACTIVE = 'active'
RES_DELETED = 'deleted'
RES_ERROR = 'error'

RESERVATION_TRANSITIONS = {
    RES_PENDING: {RES_ACTIVE, RES_DELETED, RES_ERROR},
    RES_ACTIVE: {RES_ACTIVE, RES_DELETED, RES_ERROR},
    RES_ERROR: {RES_DELETED, RES_ERROR},
    RES_DELETED: {RES_DELETED},
}

# Event statuses and types.
UNDONE = 'UNDONE'
IN_PROGRESS = 'IN_PROGRESS'
DONE = 'DONE'
EVENT_ERROR = 'ERROR'

EVENT_TRANSITIONS = {
    UNDONE: {IN_PROGRESS, UNDONE},
    IN_PROGRESS: {DONE, EVENT_ERROR, UNDONE, IN_PROGRESS},
    DONE: {UNDONE},
    EVENT_ERROR: {UNDONE},
}

START_LEASE = 'start_lease'
END_LEASE = 'end_lease'
BEFORE_END_LEASE = 'before_end_lease'

# When several events of one lease are due, they run in this order.
EVENT_ORDER = {START_LEASE: 0, BEFORE_END_LEASE: 1, END_LEASE: 2}


def may_advance(table, status, new_status):
    return new_status in table.get(status, ())


def advance(table, obj, new_status):
    """Move ``obj.status`` to ``new_status`` if ``table`` allows it."""
    if not may_advance(table, obj.status, new_status):
        raise exceptions.InvalidStatus()
    obj.status = new_status


def lease_to(lease, new_status):
    advance(LEASE_TRANSITIONS, lease, new_status)


def reservation_to(reservation, new_status):
    advance(RESERVATION_TRANSITIONS, reservation, new_status)


def event_to(event, new_status):
    advance(EVENT_TRANSITIONS, event, new_status)

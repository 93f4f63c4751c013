"""Queries and writes on events, including the atomic claim.

A manager claims an event with a compare-and-swap UPDATE: it only succeeds
while the row is still in the state the manager saw, so any number of
managers can race for the same due events and each runs exactly once.
"""

import sqlalchemy as sa

from blazar.db import models
from blazar import states

Event = models.Event


def add(session, lease, event_type, time):
    event = Event(id=models.new_id(), lease_id=lease.id,
                  event_type=event_type, time=time, status=states.UNDONE)
    lease.events.append(event)
    return event


def _ready_at():
    # An undone event may carry a retry time in claimed_until.
    return sa.case((Event.claimed_until > Event.time, Event.claimed_until),
                   else_=Event.time)


def next_due_time(session):
    """When the engine must next wake up, or None if nothing is pending."""
    undone = sa.select(sa.func.min(_ready_at())).where(
        Event.status == states.UNDONE)
    abandoned = sa.select(sa.func.min(Event.claimed_until)).where(
        Event.status == states.IN_PROGRESS)
    times = [session.scalar(undone), session.scalar(abandoned)]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def claimable(session, now, limit):
    """Due events that no earlier event of the same lease is holding back:
    undone ones, and in-progress ones whose claim has expired."""
    blocker = sa.orm.aliased(Event)
    earlier_pending = sa.exists().where(
        blocker.lease_id == Event.lease_id,
        blocker.id != Event.id,
        blocker.status.in_([states.UNDONE, states.IN_PROGRESS]),
        blocker.time < Event.time)
    query = (sa.select(Event.id, Event.status, Event.claimed_until)
             .where(sa.or_(
                 sa.and_(Event.status == states.UNDONE, _ready_at() <= now),
                 sa.and_(Event.status == states.IN_PROGRESS,
                         Event.claimed_until < now)))
             .where(~earlier_pending)
             .order_by(Event.time)
             .limit(limit))
    return session.execute(query).all()


def claim(session, candidate, owner, until):
    """Take one event found by ``claimable``; False if someone was faster."""
    result = session.execute(
        sa.update(Event)
        .where(Event.id == candidate.id,
               Event.status == candidate.status,
               _same_claim(candidate.claimed_until))
        .values(status=states.IN_PROGRESS, claimed_by=owner,
                claimed_until=until, attempts=Event.attempts + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _same_claim(claimed_until):
    if claimed_until is None:
        return Event.claimed_until.is_(None)
    return Event.claimed_until == claimed_until


def get(session, event_id):
    return session.get(Event, event_id)


def finish(session, event_id, owner, status, error=None):
    """Record the outcome, if this manager still owns the claim."""
    result = session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(status=status, error=error, claimed_by=None,
                claimed_until=None)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release(session, event_id, owner, retry_at, error):
    """Give a failed event back, to be retried from ``retry_at`` on."""
    session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(status=states.UNDONE, error=error, claimed_by=None,
                claimed_until=retry_at)
        .execution_options(synchronize_session=False))

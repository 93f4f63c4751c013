"""Queries and writes on events, including the atomic claim.

A manager claims due events with one UPDATE whose WHERE clause is the
claimability test itself (undone and due, or claimed under a deadline
that has passed), then reads back which rows now carry its name. The
database applies that test to each row under the row's lock, so when
managers race for the same events each event goes to exactly one of
them, on SQLite, MariaDB and PostgreSQL alike.
"""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from blazar.db import models
from blazar import states

Event = models.Event

UNFINISHED = (states.UNDONE, states.IN_PROGRESS)


def add(session, lease, event_type, time):
    event = Event(id=models.new_id(), lease_id=lease.id,
                  event_type=event_type, time=time, status=states.UNDONE)
    lease.events.append(event)
    return event


def _undelayed():
    # An undone event may carry a retry time in claimed_until; without
    # one (or with one already behind it) it is ready at its own time.
    return sa.or_(Event.claimed_until.is_(None),
                  Event.claimed_until <= Event.time)


def _delayed():
    return Event.claimed_until > Event.time


def _rank(event):
    return sa.case(states.EVENT_ORDER, value=event.event_type, else_=99)


def _due(now):
    # Ready by now: due by its time, and either not delayed or delayed
    # until no later than now. Spelt so that the (status, time) index
    # bounds the search to events whose time has come.
    return sa.or_(
        sa.and_(Event.status == states.UNDONE, Event.time <= now,
                sa.or_(_undelayed(), Event.claimed_until <= now)),
        sa.and_(Event.status == states.IN_PROGRESS,
                Event.claimed_until < now))


def _held_back():
    """An earlier event of the same lease (by time, then by the order of
    event types) has not finished: a lease's own events run in order."""
    earlier = orm.aliased(Event)
    return sa.exists().where(
        earlier.lease_id == Event.lease_id,
        earlier.id != Event.id,
        earlier.status.in_(UNFINISHED),
        sa.or_(earlier.time < Event.time,
               sa.and_(earlier.time == Event.time,
                       _rank(earlier) < _rank(Event))))


def _not_excluded():
    return Event.id.not_in(sa.bindparam('exclude', expanding=True))


# The engine runs these after every event it finishes. They are built
# once: building and keying them for SQLAlchemy's statement cache costs
# several times more than running them.
_CLAIMABLE = (
    sa.select(Event.id, Event.lease_id, Event.event_type, Event.time,
              Event.attempts)
    .where(_due(sa.bindparam('now')), ~_held_back(), _not_excluded())
    .order_by(Event.time)
    .limit(sa.bindparam('limit')))
# The next undone event is the earliest by time among those not delayed
# (the first hit of an index walk) or by retry time among the delayed
# few (an index range of their own).
_NEXT_UNDELAYED = (sa.select(Event.time)
                   .where(Event.status == states.UNDONE, _undelayed(),
                          ~_held_back(), _not_excluded())
                   .order_by(Event.time)
                   .limit(1))
_NEXT_DELAYED = (sa.select(sa.func.min(Event.claimed_until))
                 .where(Event.status == states.UNDONE,
                        Event.claimed_until.is_not(None), _delayed(),
                        ~_held_back(), _not_excluded()))
_NEXT_ABANDONED = (sa.select(sa.func.min(Event.claimed_until))
                   .where(Event.status == states.IN_PROGRESS,
                          _not_excluded()))
_CLAIM = (sa.update(Event)
          .where(Event.id.in_(sa.bindparam('ids', expanding=True)),
                 _due(sa.bindparam('now')))
          .values(status=states.IN_PROGRESS,
                  claimed_by=sa.bindparam('owner'),
                  claimed_until=sa.bindparam('until'),
                  attempts=Event.attempts + 1)
          .execution_options(synchronize_session=False))
_UNFINISHED_ENDS = sa.select(Event.lease_id, Event.time).where(
    Event.status.in_(UNFINISHED), Event.event_type == states.END_LEASE,
    Event.time <= sa.bindparam('until'))
_WON = sa.select(Event.id).where(
    Event.id.in_(sa.bindparam('ids', expanding=True)),
    Event.status == states.IN_PROGRESS,
    Event.claimed_by == sa.bindparam('owner'),
    Event.claimed_until == sa.bindparam('until'))


def claimable(session, now, limit, exclude=()):
    """Due events, oldest first, that no earlier event of their lease
    holds back: undone ones, and claimed ones whose deadline passed."""
    return session.execute(_CLAIMABLE, {'now': now, 'limit': limit,
                                        'exclude': sorted(exclude)}).all()


def next_due_time(session, exclude=()):
    """When the engine must next look again, or None if nothing is
    pending. ``exclude`` lists events already accounted for (running
    here, or waiting for another lease)."""
    excluded = {'exclude': sorted(exclude)}
    times = [session.scalar(query, excluded) for query in
             (_NEXT_UNDELAYED, _NEXT_DELAYED, _NEXT_ABANDONED)]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def unfinished_ends(session, until):
    """Lease id -> time of every end_lease due by ``until`` that has not
    finished: a start on the same resources must wait for it."""
    return dict(session.execute(_UNFINISHED_ENDS, {'until': until}).all())


def claim(session, event_ids, owner, now, until):
    """Take those of ``event_ids`` that are still claimable; returns the
    set of ids this call won (the others went to faster managers)."""
    if not event_ids:
        return set()
    values = {'ids': sorted(event_ids), 'owner': owner, 'now': now,
              'until': until}
    session.execute(_CLAIM, values)
    return set(session.scalars(_WON, values))


def extend_claims(session, event_ids, owner, until):
    """Push the deadline of claims this manager still holds; returns how
    many it still holds."""
    if not event_ids:
        return 0
    result = session.execute(
        sa.update(Event)
        .where(Event.id.in_(sorted(event_ids)), Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False))
    return result.rowcount


def get(session, event_id):
    return session.get(Event, event_id)


def held(session, event_ids, owner):
    """Event id -> time of those of ``event_ids`` whose claims ``owner``
    holds, locked until the end of the transaction."""
    if not event_ids:
        return {}
    return dict(session.execute(
        sa.select(Event.id, Event.time)
        .where(Event.id.in_(sorted(event_ids)), Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .order_by(Event.id).with_for_update()).all())


def holds(event, owner):
    return (event is not None and event.status == states.IN_PROGRESS and
            event.claimed_by == owner)


def finish(session, event_id, owner, status, error=None):
    """Record the outcome, if this manager still owns the claim."""
    return finish_many(session, [event_id], owner, status, error) == 1


def finish_many(session, event_ids, owner, status, error=None):
    """Record one outcome for the events whose claims this manager still
    holds; returns how many (loaded events are updated too, for the
    lease views that follow)."""
    if not event_ids:
        return 0
    result = session.execute(
        sa.update(Event)
        .where(Event.id.in_(sorted(event_ids)), Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(status=status, error=error, claimed_by=None,
                claimed_until=None, updated_at=timeutils.utcnow())
        .execution_options(synchronize_session='evaluate'))
    return result.rowcount


def release(session, event_id, owner, retry_at, error):
    """Give a failed event back, to be retried from ``retry_at`` on."""
    session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(status=states.UNDONE, error=error, claimed_by=None,
                claimed_until=retry_at)
        .execution_options(synchronize_session=False))


def unclaim(session, event_id, owner):
    """Give back an event that was moved after it was claimed: it has not
    run, so the attempt does not count."""
    session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.claimed_by == owner,
               Event.status == states.IN_PROGRESS)
        .values(status=states.UNDONE, claimed_by=None, claimed_until=None,
                attempts=Event.attempts - 1)
        .execution_options(synchronize_session=False))

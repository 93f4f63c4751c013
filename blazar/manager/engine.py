"""The event engine: runs each lease event at its time, exactly once.

One scheduler thread sleeps until the next event is due, or until it is
woken because an event was created, moved or finished, then claims due
events with a compare-and-swap (``blazar.db.events.claim``) and hands
them to a bounded pool of workers, so that a slow lease never holds back
another. A manager only claims what it has free workers for, so any
number of managers can share one database: whoever wins a claim runs the
event, and idle managers take the rest.

A claim carries a short deadline that a heartbeat thread keeps pushing
back while the event runs. A manager that dies mid-event stops the
heartbeat; once the deadline passes another manager (or the same one
restarted) claims the event again and runs it from the start, which is
why every plugin step must be idempotent. A lease's state changes only
in the transactions that open and close an event, so it is never left
half-started or half-ended: it is STARTING or TERMINATING until some
manager completes the event.

Order: a lease's own events run in time order (then start, before_end,
end); a start waits for the unfinished end of any lease due no later
that shares a resource with it (the plugins say which share).

Failures: transient ones (unreachable services, database errors,
anything unexpected) are retried with exponential backoff up to
``[manager] event_max_retries``; after that, or at once for errors that
retrying cannot fix, the event is ERROR with the reason, shown on the
lease.
"""

from concurrent import futures
import dataclasses
import datetime
import os
import random
import threading
import uuid

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exception
from oslo_log import log as logging
from oslo_utils import timeutils

from blazar.db import engine as db
from blazar.db import events as db_events
from blazar.db import leases as db_leases
from blazar import enforcement
from blazar import exceptions
from blazar.manager import views
from blazar.manager import webhook
from blazar.plugins import loader
from blazar import states

LOG = logging.getLogger(__name__)

# The longest sleep. Managers wake each other with an RPC cast when the
# schedule changes; this bound catches a cast that was lost.
MAX_SLEEP = 10.0
# How often to look again while a start waits for another lease's end
# that another manager may be running (it does not tell us it is done).
WAITING_POLL = 0.5
# Pause after the scheduler itself failed (database away, say).
ERROR_PAUSE = 1.0
MAX_BACKOFF = 300.0
# Due events read per free worker. Managers racing for a burst of events
# each pick at random among these, so they mostly claim different ones.
CANDIDATES_PER_WORKER = 4

_retry_on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_on_deadlock=True, retry_interval=0.05,
    inc_retry_interval=True)


@dataclasses.dataclass(frozen=True)
class ClaimedEvent:
    id: str
    lease_id: str
    event_type: str
    time: datetime.datetime
    attempt: int


class ClaimLost(Exception):
    """Another manager took the event over (our deadline had passed)."""


class StepFailed(Exception):
    """A plugin step failed; names it and keeps the cause."""

    def __init__(self, step, reservation, cause):
        super().__init__('%s of reservation %s (%s) failed: %s'
                         % (step, reservation['id'],
                            reservation['resource_type'], describe(cause)))
        self.cause = cause


class EventEngine:

    def __init__(self, conf, plugins, notifier, context_factory, trusts):
        self.conf = conf
        self.plugins = plugins
        self.notifier = notifier
        self.trusts = trusts
        self.enforcement = enforcement.UsageEnforcer(conf)
        self.owner = owner_name(conf.host)
        self._context = context_factory
        self._capacity = conf.manager.event_workers
        self._workers = futures.ThreadPoolExecutor(
            max_workers=self._capacity, thread_name_prefix='blazar-event')
        # Sending blocks while the message broker is away; doing it on
        # the side delays notifications during an outage, never events.
        self._notifications = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='blazar-event-notify')
        self._running = {}
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._workers_done = threading.Event()
        self._scheduler = threading.Thread(
            target=self._schedule_forever, name='blazar-event-scheduler',
            daemon=True)
        self._heartbeat = threading.Thread(
            target=self._heartbeat_forever, name='blazar-event-heartbeat',
            daemon=True)
        self._handlers = {states.START_LEASE: self._start_lease,
                          states.END_LEASE: self._end_lease,
                          states.BEFORE_END_LEASE: self._before_end_lease}

    def start(self):
        LOG.info('Event engine claims events as %s', self.owner)
        try:
            # A connection per worker, plus the scheduler's and the
            # heartbeat's, before events are due.
            db.warm_up(self._capacity + 2)
        except Exception as error:
            LOG.warning('Could not open database connections yet: %s',
                        error)
        self._scheduler.start()
        self._heartbeat.start()

    def stop(self, graceful=True):
        self._stopping.set()
        self._wakeup.set()
        if self._scheduler.is_alive():
            self._scheduler.join()
        # Events still running keep their claims alive until they end.
        self._workers.shutdown(wait=graceful)
        self._workers_done.set()
        if self._heartbeat.is_alive():
            self._heartbeat.join()
        self._notifications.shutdown(wait=graceful)

    def wake(self):
        """Re-read the schedule now (an event was created or moved)."""
        self._wakeup.set()

    def _running_ids(self):
        with self._lock:
            return set(self._running)

    # --- scheduling --------------------------------------------------------

    def _schedule_forever(self):
        while not self._stopping.is_set():
            # Cleared before looking, so a wake-up during the look counts.
            self._wakeup.clear()
            try:
                delay = self._dispatch_due_events()
            except db_exception.DBConnectionError as error:
                LOG.warning('Event scheduling cannot reach the database; '
                            'trying again: %s', error)
                delay = ERROR_PAUSE
            except Exception:
                LOG.exception('Event scheduling failed; trying again')
                delay = ERROR_PAUSE
            self._wakeup.wait(delay)

    def _dispatch_due_events(self):
        """Claim and start what is due and may run; return how long to
        sleep."""
        context = self._context()
        waiting = set()
        while not self._stopping.is_set():
            free = self._capacity - len(self._running_ids())
            if free <= 0:
                return MAX_SLEEP  # a worker that finishes wakes us
            with db.reader(context) as session:
                candidates = db_events.claimable(
                    session, timeutils.utcnow(), free * CANDIDATES_PER_WORKER,
                    exclude=self._running_ids() | waiting)
                if not candidates:
                    break
                runnable, blocked = self._split_waiting(session, candidates)
            waiting |= blocked
            if runnable:
                self._claim_and_run(
                    context, random.sample(runnable, min(free, len(runnable))))
        return self._sleep_time(context, waiting)

    def _sleep_time(self, context, waiting):
        with db.reader(context) as session:
            next_due = db_events.next_due_time(
                session, exclude=self._running_ids() | waiting)
        delay = seconds_until(next_due, timeutils.utcnow())
        if waiting:
            delay = min(delay, WAITING_POLL)
        LOG.debug('Next event due at %s; sleeping %.3f s (%d waiting)',
                  next_due, delay, len(waiting))
        return delay

    def _split_waiting(self, session, candidates):
        """(candidates that may run, ids of starts that must wait for the
        end of another lease sharing their resources)."""
        starts = [c for c in candidates if c.event_type == states.START_LEASE]
        if not starts:
            return candidates, set()
        ends = db_events.unfinished_ends(session, max(c.time for c in starts))
        waiting = {start.id for start in starts
                   if self._must_wait(session, start, ends)}
        return [c for c in candidates if c.id not in waiting], waiting

    def _must_wait(self, session, start, ends):
        earlier = {lease_id for lease_id, time in ends.items()
                   if time <= start.time and lease_id != start.lease_id}
        if not earlier:
            return False
        by_type = {}
        for reservation in db_leases.reservations_of(session, start.lease_id):
            by_type.setdefault(reservation.resource_type, []).append(
                reservation)
        for resource_type, reservations in by_type.items():
            plugin = self.plugins.get(resource_type)
            sharing = (plugin.leases_sharing_resources(
                session, reservations, earlier) if plugin else earlier)
            if sharing:
                return True
        return False

    def _claim_and_run(self, context, candidates):
        now = timeutils.utcnow()
        until = now + datetime.timedelta(
            seconds=self.conf.manager.event_claim_seconds)
        won = self._claim(context, [c.id for c in candidates], now, until)
        for candidate in candidates:
            if candidate.id in won:
                event = ClaimedEvent(candidate.id, candidate.lease_id,
                                     candidate.event_type, candidate.time,
                                     candidate.attempts + 1)
                with self._lock:
                    self._running[event.id] = event
                self._workers.submit(self._run, event)

    @_retry_on_deadlock
    def _claim(self, context, event_ids, now, until):
        with db.writer(context) as session:
            return db_events.claim(session, event_ids, self.owner, now, until)

    # --- heartbeat ---------------------------------------------------------

    def _heartbeat_forever(self):
        interval = self.conf.manager.event_claim_seconds / 3.0
        while not self._workers_done.wait(interval):
            running = self._running_ids()
            if not running:
                continue
            try:
                self._extend_claims(running)
            except Exception as error:
                LOG.warning('Could not extend the claims on %d running '
                            'events; other managers may take them over: %s',
                            len(running), error)

    def _extend_claims(self, event_ids):
        until = timeutils.utcnow() + datetime.timedelta(
            seconds=self.conf.manager.event_claim_seconds)
        with db.writer(self._context()) as session:
            held = db_events.extend_claims(session, event_ids, self.owner,
                                           until)
        # Fewer is normal for events that finished meanwhile.
        LOG.debug('Extended %d of %d claims to %s', held, len(event_ids),
                  until)

    # --- execution ---------------------------------------------------------

    def _run(self, event):
        context = self._context()
        LOG.info('Running %s of lease %s (event %s, attempt %d), %.3f s '
                 'after its time', event.event_type, event.lease_id,
                 event.id, event.attempt,
                 (timeutils.utcnow() - event.time).total_seconds())
        try:
            self._handlers[event.event_type](context, event)
        except Exception as error:
            self._record_failure(context, event, error)
        finally:
            with self._lock:
                self._running.pop(event.id, None)
            self.wake()

    def _start_lease(self, context, event):
        view = self._begin(context, event, states.STARTING)
        if view is not None:
            self._each_reservation(context, view, 'on_start')
            self._complete(context, event, states.ACTIVE, states.RES_ACTIVE)

    def _end_lease(self, context, event):
        view = self._begin(context, event, states.TERMINATING)
        if view is not None:
            self._each_reservation(context, view, 'on_end',
                                   skip=(states.RES_DELETED,))
            # Both raise ServiceUnavailable while undone: retried.
            self.enforcement.on_end(view)
            self.trusts.delete(view['trust_id'])
            self._complete(context, event, states.TERMINATED,
                           states.RES_DELETED)

    def _before_end_lease(self, context, event):
        view = self._begin(context, event, None)
        if view is None:
            return
        self._each_reservation(context, view, 'before_end')
        url = self.conf.manager.before_end_webhook_url
        if url:
            webhook.deliver(url, self.conf.manager.before_end_webhook_timeout,
                            event.id, view)
        self._complete(context, event, None, None)

    def _begin(self, context, event, transitional):
        """Lock the lease, check that the event is still ours and still
        due, and move the lease to ``transitional``. Returns the lease
        view, or None if the event was moved to later since we claimed
        it (it is given back)."""
        with db.writer(context) as session:
            lease = db_leases.get(session, event.lease_id, for_update=True)
            current = db_events.get(session, event.id)
            if not db_events.holds(current, self.owner):
                raise ClaimLost()
            if current.time > timeutils.utcnow():
                db_events.unclaim(session, event.id, self.owner)
                LOG.info('Event %s was moved to %s; given back', event.id,
                         current.time)
                return None
            if transitional is not None:
                states.lease_to(lease, transitional)
            session.flush()
            return self._view(session, lease)

    def _each_reservation(self, context, view, step, skip=()):
        for reservation in view['reservations']:
            if reservation['status'] in skip:
                continue
            plugin = loader.get(self.plugins, reservation['resource_type'])
            try:
                getattr(plugin, step)(context, view, reservation)
            except Exception as error:
                raise StepFailed(step, reservation, error) from error

    def _complete(self, context, event, lease_status, reservation_status):
        """Close the event and move the lease on, in one transaction."""
        notify = self.notifier.is_enabled()
        with db.writer(context) as session:
            lease = db_leases.get(session, event.lease_id, for_update=True,
                                  with_events=notify)
            if lease_status is not None:
                states.lease_to(lease, lease_status)
                for reservation in lease.reservations:
                    states.reservation_to(reservation, reservation_status)
            if lease_status == states.TERMINATED:
                # Deleted by _end_lease: an ended lease acts for nobody.
                lease.trust_id = None
            session.flush()
            if not db_events.finish(session, event.id, self.owner,
                                    states.DONE):
                raise ClaimLost()
            view = self._view(session, lease) if notify else None
        LOG.info('Event %s (%s) of lease %s done', event.id,
                 event.event_type, event.lease_id)
        if view is not None:
            self._notify(context, 'lease.event.%s' % event.event_type, view)

    def _view(self, session, lease):
        details = {}
        for reservation in lease.reservations:
            plugin = self.plugins.get(reservation.resource_type)
            if plugin is not None:
                details.update(plugin.details(session, [reservation]))
        return views.lease(lease, details)

    def _notify(self, context, event_type, view):
        self._notifications.submit(self._send, context, event_type,
                                   views.notification_payload(view))

    def _send(self, context, event_type, payload):
        try:
            self.notifier.info(context, event_type, payload)
        except Exception:
            LOG.exception('Could not send notification %s', event_type)

    # --- failures ----------------------------------------------------------

    def _record_failure(self, context, event, error):
        if isinstance(error, ClaimLost):
            LOG.warning('Event %s was taken over by another manager; '
                        'leaving it to that one', event.id)
            return
        try:
            self._fail(context, event, error)
        except Exception as second_error:
            LOG.warning('Event %s failed (%s) and the failure could not be '
                        'recorded (%s); its claim will expire and it will '
                        'run again', event.id, describe(error),
                        describe(second_error))

    def _fail(self, context, event, error):
        cause = getattr(error, 'cause', error)
        reason = describe(error)
        with db.writer(context) as session:
            try:
                lease = db_leases.get(session, event.lease_id,
                                      for_update=True)
            except exceptions.NotFound:
                LOG.info('Lease %s was deleted during event %s',
                         event.lease_id, event.id)
                return
            if not db_events.holds(db_events.get(session, event.id),
                                   self.owner):
                return
            if (is_transient(cause) and
                    event.attempt <= self.conf.manager.event_max_retries):
                self._retry_later(session, event, reason)
                return
            db_events.finish(session, event.id, self.owner,
                             states.EVENT_ERROR, reason)
            if states.ERROR in states.LEASE_TRANSITIONS[lease.status]:
                states.lease_to(lease, states.ERROR)
        LOG.error('Event %s (%s) of lease %s failed for good after %d '
                  'attempt(s): %s', event.id, event.event_type,
                  event.lease_id, event.attempt, reason,
                  exc_info=not isinstance(cause, exceptions.BlazarError))

    def _retry_later(self, session, event, reason):
        retry_at = timeutils.utcnow() + backoff(
            self.conf.manager.event_retry_interval, event.attempt)
        db_events.release(session, event.id, self.owner, retry_at, reason)
        LOG.warning('Event %s (%s) of lease %s failed (attempt %d), '
                    'retrying at %s: %s', event.id, event.event_type,
                    event.lease_id, event.attempt, retry_at, reason)


def owner_name(host):
    """Who claims events: unique per process, so that two managers on one
    host, or a manager and its restarted self, never pass for each
    other."""
    return '%s:%d:%s' % (host, os.getpid(), uuid.uuid4().hex[:8])


def is_transient(error):
    """Whether trying again may help. Blazar's own errors say the request
    or the lease is wrong, except ``ServiceUnavailable``; anything else
    (database, network, a bug in a client library) may pass."""
    if isinstance(error, exceptions.ServiceUnavailable):
        return True
    return not isinstance(error, exceptions.BlazarError)


def backoff(interval, attempt):
    """Wait before retrying after failed attempt number ``attempt``."""
    return datetime.timedelta(
        seconds=min(interval * 2 ** (attempt - 1), MAX_BACKOFF))


def describe(error):
    if isinstance(error, StepFailed):
        return str(error)
    return '%s: %s' % (type(error).__name__, error)


def seconds_until(when, now):
    if when is None:
        return MAX_SLEEP
    return max(0.0, min((when - now).total_seconds(), MAX_SLEEP))

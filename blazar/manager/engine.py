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
import queue
import random
import threading
import time
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
# A burst is claimed, begun and completed in batches, one transaction
# each, rather than one event at a time. Claimed events wait in a queue
# for the workers; a manager claims what its idle workers can start
# within QUEUE_SECONDS, going by how long steps took lately (a moving
# average, STEP_SECONDS until steps have been timed), and at most
# QUEUED_PER_WORKER each. Quick steps: the next batch is begun while
# workers run the last one. Slow steps (Nova): a worker's worth, and
# other managers take the rest.
QUEUE_SECONDS = 0.25
STEP_SECONDS = 1.0
STEP_WEIGHT = 0.2
QUEUED_PER_WORKER = 32
# The most events one claim takes.
CLAIM_BATCH = 128
# Due events read per event to claim. Managers racing for a burst of
# events each pick at random among these, so they mostly claim different
# ones.
CANDIDATES_PER_CLAIM = 4
# The most finished events recorded in one transaction.
COMPLETION_GROUP = 200
# Longest failure reason stored (a database error can quote a whole
# statement with its parameters).
MAX_REASON = 2000

# What an event does to its lease's status while it runs and once it is
# done, and to its reservations' statuses once done.
TRANSITIONAL = {states.START_LEASE: states.STARTING,
                states.END_LEASE: states.TERMINATING,
                states.BEFORE_END_LEASE: None}
FINAL = {states.START_LEASE: states.ACTIVE,
         states.END_LEASE: states.TERMINATED,
         states.BEFORE_END_LEASE: None}
RESERVATIONS_FINAL = {states.START_LEASE: states.RES_ACTIVE,
                      states.END_LEASE: states.RES_DELETED}

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


class Abandoned(Exception):
    """Earlier attempts never recorded an outcome: the managers running
    them died (the step may crash its process), or could not write."""

    def __init__(self, attempts):
        super().__init__('%d attempt(s) ended without an outcome (manager '
                         'killed or database unreachable); giving up'
                         % attempts)


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
        self.owner = None  # named at start, in the process that runs
        self._context = context_factory
        self._capacity = conf.manager.event_workers
        self._workers = futures.ThreadPoolExecutor(
            max_workers=self._capacity, thread_name_prefix='blazar-event')
        # Sending blocks while the message broker is away; doing it on
        # the side delays notifications during an outage, never events.
        self._notifications = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='blazar-event-notify')
        # Events whose steps ran, waiting to be recorded as done (None
        # tells the completer to stop).
        self._finished = queue.SimpleQueue()
        # Event id -> ClaimedEvent, from the claim until the outcome is
        # recorded; ``_queued``: ids of those no worker has taken yet;
        # ``_stepping``: how many are in a worker's hands.
        self._running = {}
        self._queued = set()
        self._stepping = 0
        self._step_seconds = STEP_SECONDS
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        # When the scheduler will look again by itself (None: looking).
        self._asleep_until = None
        self._stopping = threading.Event()
        self._workers_done = threading.Event()
        self._threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in (
                (self._schedule_forever, 'blazar-event-scheduler'),
                (self._complete_forever, 'blazar-event-completer'),
                (self._heartbeat_forever, 'blazar-event-heartbeat'))]
        self._steps = {states.START_LEASE: self._start_steps,
                       states.END_LEASE: self._end_steps,
                       states.BEFORE_END_LEASE: self._before_end_steps}

    def start(self):
        # The service is built before the launcher forks its worker, and
        # a worker that dies is replaced by a fresh fork: naming here
        # keeps each worker's claims apart from its predecessors'.
        self.owner = owner_name(self.conf.host)
        LOG.info('Event engine claims events as %s', self.owner)
        try:
            # The scheduler's, the completer's and the heartbeat's, plus
            # one per worker for plugins that use the database.
            db.warm_up(self._capacity + 3)
        except Exception as error:
            LOG.warning('Could not open database connections yet: %s',
                        error)
        for thread in self._threads:
            thread.start()

    def stop(self, graceful=True):
        scheduler, completer, heartbeat = self._threads
        self._stopping.set()
        self._wakeup.set()
        if scheduler.is_alive():
            scheduler.join()
        # Events still running keep their claims alive until they end.
        self._workers.shutdown(wait=graceful)
        self._finished.put(None)
        if completer.is_alive():
            completer.join()
        self._workers_done.set()
        if heartbeat.is_alive():
            heartbeat.join()
        self._notifications.shutdown(wait=graceful)

    def wake(self, earliest=None):
        """Re-read the schedule now (an event was created or moved),
        unless the scheduler sleeps until no later than ``earliest``, the
        time of the first event that changed: it will see it then. Lease
        creations far ahead then cost no look at the events each."""
        with self._lock:
            if not must_look_now(earliest, self._asleep_until):
                return
        self._wakeup.set()

    def _running_ids(self):
        with self._lock:
            return set(self._running)

    def _room(self):
        with self._lock:
            return claim_room(self._capacity - self._stepping,
                              len(self._queued), self._step_seconds)

    def _forget(self, events):
        with self._lock:
            for event in events:
                self._running.pop(event.id, None)
                self._queued.discard(event.id)
        self.wake()

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
            self._sleep(delay)

    def _sleep(self, delay):
        with self._lock:
            self._asleep_until = timeutils.utcnow() + datetime.timedelta(
                seconds=delay)
        self._wakeup.wait(delay)
        with self._lock:
            self._asleep_until = None

    def _dispatch_due_events(self):
        """Claim and start what is due and may run; return how long to
        sleep."""
        context = self._context()
        waiting = set()
        while not self._stopping.is_set():
            room = self._room()
            if room <= 0:
                return MAX_SLEEP  # a worker that finishes wakes us
            with db.reader(context) as session:
                candidates = db_events.claimable(
                    session, timeutils.utcnow(), room * CANDIDATES_PER_CLAIM,
                    exclude=self._running_ids() | waiting)
                if not candidates:
                    break
                runnable, blocked = self._split_waiting(session, candidates)
            waiting |= blocked
            if runnable:
                self._claim_and_run(context, random.sample(
                    runnable, min(room, len(runnable))))
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
        events = self._claim(context, candidates)
        if not events:
            return
        try:
            begun, failed = self._begin(context, events)
        except Exception as error:
            for event in events:
                self._record_failure(context, event, error)
            self._forget(events)
            return
        for event, error in failed:
            self._record_failure(context, event, error)
        self._forget([event for event in events if event.id not in begun])
        to_run = [event for event in events if event.id in begun]
        if to_run:
            # One line per batch: a burst of a thousand events would
            # otherwise spend much of its time writing logs.
            LOG.info('Running %s', '; '.join(
                '%s of lease %s (event %s, attempt %d)'
                % (e.event_type, e.lease_id, e.id, e.attempt)
                for e in to_run))
        for event in to_run:
            self._workers.submit(self._run, event, begun[event.id])

    def _claim(self, context, candidates):
        now = timeutils.utcnow()
        until = now + datetime.timedelta(
            seconds=self.conf.manager.event_claim_seconds)
        won = self._claim_ids(context, [c.id for c in candidates], now,
                              until)
        events = [ClaimedEvent(c.id, c.lease_id, c.event_type, c.time,
                               c.attempts + 1)
                  for c in candidates if c.id in won]
        with self._lock:
            self._running.update((event.id, event) for event in events)
            self._queued.update(event.id for event in events)
        return events

    @_retry_on_deadlock
    def _claim_ids(self, context, event_ids, now, until):
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

    # --- beginning a batch -------------------------------------------------

    @_retry_on_deadlock
    def _begin(self, context, events):
        """In one transaction for the whole batch: lock the leases, check
        that each event is still ours and still due, and move each lease
        to the status it has while its event runs. Returns ({event id:
        lease view} of the events to run, [(event, error)] of those that
        must not run)."""
        now = timeutils.utcnow()
        with db.writer(context) as session:
            to_run, failed = self._judge(
                session, events, lambda event, held, leases: self._may_begin(
                    session, event, held, leases, now))
            self._move_leases(session, to_run, TRANSITIONAL)
            views = self._views(session, {e.lease_id for e in to_run})
        return {e.id: views[e.lease_id] for e in to_run}, failed

    def _judge(self, session, events, verdict):
        """Lock the leases of ``events`` and the claims this manager still
        holds on them, then ask ``verdict(event, held claims, lease
        statuses)`` of each: True to go on with it, False to drop it, or
        the error to record for it. Returns (events to go on with,
        [(event, error)])."""
        leases = db_leases.lock_statuses(session,
                                         {e.lease_id for e in events})
        held = db_events.held(session, [e.id for e in events], self.owner)
        go_on, failed = [], []
        for event in events:
            outcome = verdict(event, held, leases)
            if isinstance(outcome, Exception):
                failed.append((event, outcome))
            elif outcome:
                go_on.append(event)
        return go_on, failed

    def _may_begin(self, session, event, held, leases, now):
        """True to run ``event``, False to drop it, or the error to record
        for it."""
        if event.id not in held:
            LOG.warning('Event %s was taken over by another manager or '
                        'deleted; leaving it', event.id)
            return False
        if held[event.id] > now:
            db_events.unclaim(session, event.id, self.owner)
            LOG.info('Event %s was moved to %s; given back', event.id,
                     held[event.id])
            return False
        if event.attempt > self.conf.manager.event_max_retries + 1:
            return Abandoned(event.attempt - 1)
        status = TRANSITIONAL[event.event_type]
        if status and not states.may_advance(
                states.LEASE_TRANSITIONS, leases[event.lease_id].status,
                status):
            return exceptions.InvalidStatus()
        return True

    def _move_leases(self, session, events, statuses,
                     reservation_statuses=None):
        """Set-based status changes: one UPDATE per new status."""
        by_status = {}
        for event in events:
            status = statuses[event.event_type]
            if status is not None:
                by_status.setdefault(status, set()).add(event.lease_id)
        for status, lease_ids in by_status.items():
            db_leases.set_status(session, lease_ids, status)
        for event_type, status in (reservation_statuses or {}).items():
            lease_ids = {e.lease_id for e in events
                         if e.event_type == event_type}
            db_leases.set_reservation_status(session, lease_ids, status)

    def _views(self, session, lease_ids):
        """Lease id -> view, with one plugin ``details`` call per resource
        type for all the leases."""
        leases = db_leases.get_many(session, lease_ids).values()
        return {view['id']: view for view in
                views.lease_views(self.plugins, session, leases)}

    # --- steps -------------------------------------------------------------

    def _run(self, event, view):
        context = self._context()
        with self._lock:
            self._queued.discard(event.id)
            self._stepping += 1
        started = time.monotonic()
        LOG.debug('Running %s of lease %s (event %s), %.3f s after its '
                  'time', event.event_type, event.lease_id, event.id,
                  (timeutils.utcnow() - event.time).total_seconds())
        try:
            self._steps[event.event_type](context, event, view)
        except Exception as error:
            self._record_failure(context, event, error)
            self._forget([event])
        else:
            self._finished.put(event)
        finally:
            with self._lock:
                self._stepping -= 1
                self._step_seconds += STEP_WEIGHT * (
                    time.monotonic() - started - self._step_seconds)
            self.wake()

    def _start_steps(self, context, event, view):
        self._each_reservation(context, view, 'on_start')

    def _end_steps(self, context, event, view):
        self._each_reservation(context, view, 'on_end',
                               skip=(states.RES_DELETED,))
        # Both raise ServiceUnavailable while undone: retried.
        self.enforcement.on_end(view)
        self.trusts.delete(view['trust_id'])

    def _before_end_steps(self, context, event, view):
        # The operator's webhook and the lease's own. Until both took the
        # warning the event is retried, and both get it again: receivers
        # drop repeats by event id. They go first, so that a receiver
        # that fails does not repeat the plugins' steps (snapshots...).
        urls = (self.conf.manager.before_end_webhook_url,
                view['before_end_webhook'])
        for url in dict.fromkeys(url for url in urls if url):
            webhook.deliver(url, self.conf.manager.before_end_webhook_timeout,
                            event.id, view)
        self._each_reservation(context, view, 'before_end')

    def _each_reservation(self, context, view, step, skip=()):
        for reservation in view['reservations']:
            if reservation['status'] in skip:
                continue
            plugin = loader.get(self.plugins, reservation['resource_type'])
            try:
                getattr(plugin, step)(context, view, reservation)
            except Exception as error:
                raise StepFailed(step, reservation, error) from error

    # --- completing --------------------------------------------------------

    def _complete_forever(self):
        """Record events as done as their steps finish, all those that
        finished meanwhile in one transaction."""
        context = self._context()
        while True:
            events = [self._finished.get()]
            while events[-1] is not None and len(events) < COMPLETION_GROUP:
                try:
                    events.append(self._finished.get_nowait())
                except queue.Empty:
                    break
            if events[-1] is None:
                events.pop()
                self._complete_group(context, events)
                return
            self._complete_group(context, events)

    def _complete_group(self, context, events):
        if not events:
            return
        try:
            done, failed = self._complete(context, events)
        except Exception as error:
            done, failed = {}, [(event, error) for event in events]
        for event, error in failed:
            self._record_failure(context, event, error)
        self._forget(events)
        if done:
            LOG.info('Events done: %s', ', '.join(sorted(done)))
        for event in events:
            if done.get(event.id) is not None:
                self._notify(context, 'lease.event.%s' % event.event_type,
                             done[event.id])

    @_retry_on_deadlock
    def _complete(self, context, events):
        """Close the events and move their leases on, in one transaction.
        Returns ({event id: lease view to notify, or None}, [(event,
        error)] of those that could not be closed)."""
        with db.writer(context) as session:
            to_close, failed = self._judge(session, events,
                                           self._may_complete)
            self._move_leases(session, to_close, FINAL, RESERVATIONS_FINAL)
            # Deleted by _end_steps: an ended lease acts for nobody.
            db_leases.forget_trusts(session, {
                e.lease_id for e in to_close
                if e.event_type == states.END_LEASE})
            db_events.finish_many(session, [e.id for e in to_close],
                                  self.owner, states.DONE)
            views = (self._views(session, {e.lease_id for e in to_close})
                     if self.notifier.is_enabled() else {})
        return ({e.id: views.get(e.lease_id) for e in to_close}, failed)

    def _may_complete(self, event, held, leases):
        if event.id not in held:
            LOG.warning('Event %s was taken over by another manager; '
                        'leaving it to that one', event.id)
            return False
        status = FINAL[event.event_type]
        if status is None:
            return True
        lease = leases[event.lease_id]
        allowed = states.may_advance(states.LEASE_TRANSITIONS, lease.status,
                                     status) and all(
            states.may_advance(states.RESERVATION_TRANSITIONS, reservation,
                               RESERVATIONS_FINAL[event.event_type])
            for reservation in lease.reservations)
        return True if allowed else exceptions.InvalidStatus()

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


def claim_room(idle_workers, queued, step_seconds):
    """How many events to claim now, with ``queued`` claimed events not
    yet taken by a worker and steps lately taking ``step_seconds``.
    Nothing until half a batch fits: a few large transactions cost less
    than many small ones."""
    per_worker = min(QUEUED_PER_WORKER,
                     max(1, int(QUEUE_SECONDS / max(step_seconds, 1e-6))))
    limit = idle_workers * per_worker
    room = min(limit - queued, CLAIM_BATCH)
    return room if room >= min(limit, CLAIM_BATCH) / 2 else 0


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
        text = str(error)
    else:
        text = '%s: %s' % (type(error).__name__, error)
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + '...'


def must_look_now(earliest, asleep_until):
    """Whether events changed from ``earliest`` on (None: unknown) are a
    reason to look before ``asleep_until`` (None: looking already, and
    maybe read the events before they changed)."""
    return earliest is None or asleep_until is None or earliest < asleep_until


def others_may_sleep_past(earliest, now):
    """Whether another manager, asleep now, may sleep past ``earliest``
    (the first changed event), and so must be woken. None sleeps longer
    than MAX_SLEEP, and each re-reads the events when it wakes: a lease
    starting later needs no cast to every manager."""
    return earliest < now + datetime.timedelta(seconds=MAX_SLEEP)


def seconds_until(when, now):
    if when is None:
        return MAX_SLEEP
    return max(0.0, min((when - now).total_seconds(), MAX_SLEEP))

"""The event engine: runs each lease event at its time, exactly once.

One scheduler thread sleeps until the next event is due (or until it is
woken because an event was created or moved), claims due events with a
compare-and-swap, and hands them to a bounded pool of workers, so a slow
lease never holds back another. Several managers can run side by side on
one database: whoever wins the claim runs the event. A claim carries a
deadline; a manager that dies mid-event leaves it to be claimed again
once the deadline passes, so every step of an event is idempotent.
"""

from concurrent import futures
import datetime
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from blazar.db import engine as db
from blazar.db import events as db_events
from blazar.db import leases as db_leases
from blazar import exceptions
from blazar.manager import views
from blazar.plugins import loader
from blazar import states

LOG = logging.getLogger(__name__)

# Upper bound on a sleep, so that events moved by another manager are
# noticed even if its wake-up message was lost.
MAX_SLEEP = 10.0


class EventEngine:

    def __init__(self, conf, plugins, notifier, context_factory):
        self.conf = conf
        self.plugins = plugins
        self.notifier = notifier
        self.owner = conf.host
        self._context = context_factory
        self._workers = futures.ThreadPoolExecutor(
            max_workers=conf.manager.event_workers,
            thread_name_prefix='blazar-event')
        self._free_workers = threading.Semaphore(conf.manager.event_workers)
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run_forever,
                                        name='blazar-event-scheduler',
                                        daemon=True)
        self._thread.start()

    def stop(self, graceful=True):
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join()
        self._workers.shutdown(wait=graceful)

    def wake(self):
        """Re-read the schedule now (an event was created or moved)."""
        self._wakeup.set()

    # --- scheduling --------------------------------------------------------

    def _run_forever(self):
        while not self._stopping.is_set():
            try:
                delay = self._dispatch_due_events()
            except Exception:
                LOG.exception('Event scheduling failed; retrying shortly')
                delay = 1.0
            self._wakeup.wait(delay)
            self._wakeup.clear()

    def _dispatch_due_events(self):
        """Claim and start what is due; return how long to sleep."""
        context = self._context()
        while not self._stopping.is_set():
            now = timeutils.utcnow()
            with db.reader(context) as session:
                candidates = db_events.claimable(
                    session, now, self.conf.manager.event_workers)
                next_due = db_events.next_due_time(session)
            if not candidates:
                return _seconds_until(next_due, now)
            for candidate in candidates:
                self._free_workers.acquire()
                if self._claim(context, candidate):
                    self._workers.submit(self._run_claimed, candidate.id)
                else:
                    self._free_workers.release()
        return 0

    def _claim(self, context, candidate):
        until = timeutils.utcnow() + datetime.timedelta(
            seconds=self.conf.manager.event_claim_seconds)
        with db.writer(context) as session:
            return db_events.claim(session, candidate, self.owner, until)

    # --- execution ---------------------------------------------------------

    def _run_claimed(self, event_id):
        context = self._context()
        try:
            with db.reader(context) as session:
                event = db_events.get(session, event_id)
                event_type, lease_id = event.event_type, event.lease_id
            handler = {states.START_LEASE: self._start_lease,
                       states.END_LEASE: self._end_lease,
                       states.BEFORE_END_LEASE: self._before_end_lease,
                       }[event_type]
            handler(context, event_id, lease_id)
            LOG.info('Event %s (%s) of lease %s done', event_id, event_type,
                     lease_id)
        except Exception as error:
            self._fail(context, event_id, error)
        finally:
            self._free_workers.release()
            self.wake()

    def _start_lease(self, context, event_id, lease_id):
        view = self._enter(context, lease_id, states.STARTING)
        for reservation in view['reservations']:
            plugin = loader.get(self.plugins, reservation['resource_type'])
            plugin.on_start(context, view, reservation)
        self._leave(context, event_id, lease_id, states.ACTIVE,
                    states.RES_ACTIVE, 'lease.event.start_lease')

    def _end_lease(self, context, event_id, lease_id):
        view = self._enter(context, lease_id, states.TERMINATING)
        for reservation in view['reservations']:
            if reservation['status'] != states.RES_DELETED:
                plugin = loader.get(self.plugins,
                                    reservation['resource_type'])
                plugin.on_end(context, view, reservation)
        self._leave(context, event_id, lease_id, states.TERMINATED,
                    states.RES_DELETED, 'lease.event.end_lease')

    def _before_end_lease(self, context, event_id, lease_id):
        view = self._view(context, lease_id)
        for reservation in view['reservations']:
            plugin = loader.get(self.plugins, reservation['resource_type'])
            plugin.before_end(context, view, reservation)
        self._leave(context, event_id, lease_id, None, None,
                    'lease.event.before_end_lease')

    def _view(self, context, lease_id):
        with db.reader(context) as session:
            lease = db_leases.get(session, lease_id)
            return views.lease(lease, self._details(session, lease))

    def _details(self, session, lease):
        details = {}
        for reservation in lease.reservations:
            plugin = self.plugins.get(reservation.resource_type)
            if plugin is not None:
                details.update(plugin.details(session, [reservation]))
        return details

    def _enter(self, context, lease_id, transitional):
        with db.writer(context) as session:
            lease = db_leases.get(session, lease_id, for_update=True)
            states.lease_to(lease, transitional)
            session.flush()
            return views.lease(lease, self._details(session, lease))

    def _leave(self, context, event_id, lease_id, lease_status,
               reservation_status, notification):
        with db.writer(context) as session:
            lease = db_leases.get(session, lease_id, for_update=True)
            if lease_status is not None:
                states.lease_to(lease, lease_status)
                for reservation in lease.reservations:
                    states.reservation_to(reservation, reservation_status)
            if not db_events.finish(session, event_id, self.owner,
                                    states.DONE):
                raise exceptions.Conflict(reason='event claim was lost')
            session.flush()
            view = views.lease(lease, self._details(session, lease))
        self.notifier.info(context, notification,
                           views.notification_payload(view))

    def _fail(self, context, event_id, error):
        LOG.error('Event %s failed: %s', event_id, error,
                  exc_info=not isinstance(error, exceptions.BlazarError))
        reason = '%s: %s' % (type(error).__name__, error)
        with db.writer(context) as session:
            event = db_events.get(session, event_id)
            if event is None or event.claimed_by != self.owner:
                return
            if event.attempts <= self.conf.manager.event_max_retries:
                retry_at = timeutils.utcnow() + _backoff(event.attempts)
                db_events.release(session, event_id, self.owner, retry_at,
                                  reason)
                return
            db_events.finish(session, event_id, self.owner,
                             states.EVENT_ERROR, reason)
            lease = db_leases.get(session, event.lease_id, for_update=True)
            if states.ERROR in states.LEASE_TRANSITIONS[lease.status]:
                states.lease_to(lease, states.ERROR)


def _backoff(attempts):
    return datetime.timedelta(seconds=min(2 ** attempts, 60))


def _seconds_until(when, now):
    if when is None:
        return MAX_SLEEP
    return max(0.0, min((when - now).total_seconds(), MAX_SLEEP))

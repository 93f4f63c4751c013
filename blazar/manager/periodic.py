"""Plugin housekeeping the manager runs at fixed periods.

A plugin lists ``(seconds, function)`` pairs in ``periodic_tasks()``
(for instance the host plugin's repair of Nova aggregate drift); each
function is called with the manager's admin context. One thread runs them
all, each at its own period and one at a time: housekeeping is short and
should not compete with lease events for the services it talks to. A
failing task is logged and simply runs again at its next turn. Every
manager runs the same tasks, so they must be idempotent.
"""

import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class PeriodicTasks:

    def __init__(self, tasks, context_factory):
        self._tasks = [(seconds, function) for seconds, function in tasks
                       if seconds > 0]
        self._context = context_factory
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        if not self._tasks:
            return
        self._thread = threading.Thread(target=self._run_forever,
                                        name='blazar-periodic', daemon=True)
        self._thread.start()

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run_forever(self):
        # The first run waits one period: a manager that just started has
        # its own start-up work, and other managers are running the tasks.
        due = [time.monotonic() + seconds for seconds, _ in self._tasks]
        while not self._stopping.wait(max(0.0, min(due) - time.monotonic())):
            for index, (seconds, function) in enumerate(self._tasks):
                if due[index] <= time.monotonic():
                    self._run(function)
                    due[index] = time.monotonic() + seconds

    def _run(self, function):
        try:
            function(self._context())
        except Exception:
            LOG.exception('Periodic task %s failed; it runs again at its '
                          'next turn', getattr(function, '__qualname__',
                                               function))

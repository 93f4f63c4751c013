"""The manager's runner of plugin periodic tasks (blazar.manager.periodic)."""

import threading
import time

import testtools

from blazar.manager import periodic


class Recorder:

    def __init__(self, runs_wanted, fail=False):
        self.contexts = []
        self.fail = fail
        self.done = threading.Event()
        self.runs_wanted = runs_wanted

    def __call__(self, context):
        self.contexts.append(context)
        if len(self.contexts) >= self.runs_wanted:
            self.done.set()
        if self.fail:
            raise RuntimeError('task failed')


class PeriodicTasksTest(testtools.TestCase):

    def run_tasks(self, tasks):
        runner = periodic.PeriodicTasks(tasks, lambda: 'admin-context')
        runner.start()
        self.addCleanup(runner.stop)
        return runner

    def test_each_task_runs_repeatedly_with_a_fresh_admin_context(self):
        fast, slow = Recorder(5), Recorder(2)
        self.run_tasks([(0.01, fast), (0.05, slow)])
        self.assertTrue(fast.done.wait(5))
        self.assertTrue(slow.done.wait(5))
        self.assertEqual({'admin-context'}, set(fast.contexts))
        self.assertGreater(len(fast.contexts), len(slow.contexts))

    def test_a_failing_task_runs_again(self):
        failing = Recorder(3, fail=True)
        self.run_tasks([(0.01, failing)])
        self.assertTrue(failing.done.wait(5))

    def test_first_run_waits_one_period_and_stop_is_prompt(self):
        task = Recorder(1)
        runner = self.run_tasks([(3600, task)])
        started = time.monotonic()
        runner.stop()
        self.assertLess(time.monotonic() - started, 1)
        self.assertEqual([], task.contexts)

    def test_tasks_with_no_period_never_run(self):
        disabled, enabled = Recorder(1), Recorder(3)
        self.run_tasks([(0, disabled), (0.01, enabled)])
        self.assertTrue(enabled.done.wait(5))
        self.assertEqual([], disabled.contexts)

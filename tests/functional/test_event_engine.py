"""The event engine with real processes: several blazar-manager processes
on one MariaDB and one RabbitMQ, killed in the middle of an event, and cut
off from the database and the broker.

Leases hold reservations of the test probe plugin (``tests.functional.
probe``), which journals every step with its time and process, and is
slow or fails when told to. Timing bounds here leave room for a machine
shared with other test runs; ``tools/bench_events.py`` measures lateness.
"""

import datetime
import http.server
import json
import math
import os
import signal
import threading
import time
import urllib.parse

from concurrent import futures
import requests

from tests import fixtures as blazar_fixtures
from tests.functional import base
from tests.functional import probe

DATE = '%Y-%m-%d %H:%M:%S'
# The engine aims at 1 s; a loaded test machine may add to it, a polling
# engine (upstream looks every 10 s) would be far beyond it.
LATENESS_BOUND = 3.0


def utcnow():
    return datetime.datetime.utcnow()


def epoch(when):
    return when.replace(tzinfo=datetime.timezone.utc).timestamp()


def whole_second(seconds_from_now):
    return (utcnow() + datetime.timedelta(
        seconds=math.ceil(seconds_from_now))).replace(microsecond=0)


def later(when, seconds):
    return when + datetime.timedelta(seconds=seconds)


def merge(*configs):
    merged = {}
    for config in configs:
        for section, options in config.items():
            merged.setdefault(section, {}).update(options)
    return merged


class EngineTestCase(base.ServiceTestCase):
    """Blazar with the probe plugin and ``managers`` managers."""

    backend = 'mysql'
    topology = 'split'
    managers = 1
    config = {}

    @classmethod
    def make_service(cls):
        cls.probe = probe.Probe()
        cls.probe.setUp()
        return base.BlazarService(cls.backend, cls.topology,
                                  merge(cls.probe.config, cls.config),
                                  env=cls.probe.env, route=cls.route)

    @classmethod
    def route(cls, url):
        return url

    @classmethod
    def setUpClass(cls):
        try:
            super().setUpClass()
            for _ in range(cls.managers - 1):
                cls.service.start_manager()
        except BaseException:
            cls.probe.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.probe.cleanUp()

    # --- leases --------------------------------------------------------------

    def create(self, name, start, end, resources=(), before_end=None,
               webhook=None):
        body = {'name': name, 'start_date': start.strftime(DATE),
                'end_date': end.strftime(DATE),
                'reservations': [{'resource_type': probe.RESOURCE_TYPE,
                                  'resource': resource}
                                 for resource in resources]}
        if before_end is not None:
            body['before_end_date'] = before_end.strftime(DATE)
        if webhook is not None:
            body['before_end_webhook'] = webhook
        response = self.request('POST', '/v1/leases', body)
        self.assertEqual(201, response.status_code, response.text)
        return response.json()['lease']

    def create_many(self, specs):
        """Leases from (name, start, end, resources) tuples, in parallel."""
        with futures.ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda spec: self.create(*spec), specs))

    def leases(self):
        """Every lease by id; None while the service does not answer (a
        broker or database outage)."""
        try:
            response = self.request('GET', '/v1/leases')
        except requests.RequestException:
            return None
        if response.status_code != 200:
            return None
        return {lease['id']: lease for lease in response.json()['leases']}

    def wait_for(self, condition, what, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.25)
        self.fail('timed out after %s s waiting for %s' % (timeout, what))

    def wait_for_status(self, lease_ids, status, timeout=60):
        def reached():
            leases = self.leases()
            if leases and all(leases[i]['status'] == status
                              for i in lease_ids):
                return leases
        return self.wait_for(reached, '%d lease(s) %s' % (len(lease_ids),
                                                          status), timeout)

    def event(self, lease, event_type):
        return next(e for e in lease['events']
                    if e['event_type'] == event_type)

    def check_burst(self, count, webhook=None):
        """``count`` leases due at the same second: each step of each ran
        exactly once, in order, on time, and not all on one manager."""
        start = whole_second(4 + 0.1 * count)
        end = later(start, 3)
        leases = self.create_many(
            [('burst-%d' % n, start, end, ['burst-%d' % n])
             for n in range(count)])
        self.assertLess(utcnow(), later(start, -1), 'creating was too slow')
        done = self.wait_for_status([lease['id'] for lease in leases],
                                    'TERMINATED')
        runners = set()
        for lease in leases:
            self.assertEqual([('DONE', None)] * 3,
                             [(e['status'], e['error'])
                              for e in done[lease['id']]['events']])
            steps = self._steps_ran_once_in_order(lease)
            runners.update(line['pid'] for line in steps)
            self.assertLess(steps[0]['time'] - epoch(start), LATENESS_BOUND)
            self.assertLess(steps[-1]['time'] - epoch(end), LATENESS_BOUND)
            if webhook is not None:
                self.assertEqual(1, len(webhook.of(lease['name'])))
        self.assertGreater(len(runners), 1, 'one manager ran everything')

    def _steps_ran_once_in_order(self, lease):
        steps = []
        for step in ('on_start', 'before_end', 'on_end'):
            begun = self.calls(lease, step)
            ended = self.calls(lease, step, 'end')
            self.assertEqual((1, 1), (len(begun), len(ended)),
                             '%s of %s' % (step, lease['name']))
            steps += begun + ended
        times = [line['time'] for line in steps]
        self.assertEqual(sorted(times), times)
        return steps

    # --- the probe's journal -------------------------------------------------

    def calls(self, lease, step, phase='begin'):
        return [line for line in self.probe.journal(phase, step)
                if line['lease'] == lease['id']]

    def first_call(self, lease, step, phase='begin'):
        calls = self.calls(lease, step, phase)
        self.assertTrue(calls, 'no %s %s of %s'
                        % (phase, step, lease['name']))
        return calls[0]

    def wait_for_call(self, lease, step, phase='begin', timeout=30):
        return self.wait_for(lambda: self.calls(lease, step, phase),
                             '%s %s of %s' % (phase, step, lease['name']),
                             timeout)[0]


class _BurstServer(http.server.ThreadingHTTPServer):
    # A burst of leases warns all at once: the default listen backlog (5)
    # would refuse connections a real receiver accepts.
    request_queue_size = 128


class WebhookReceiver:
    """An HTTP server standing for a before_end webhook consumer. It
    answers 500 to the first two deliveries for leases named ``flaky-*``
    (for every lease if ``flaky``) and always 503 for ``down-*``."""

    def __init__(self, flaky=False):
        self.flaky = flaky
        self.deliveries = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(
                    int(self.headers['Content-Length'])))
                receiver.deliveries.append(
                    (self.headers['X-Blazar-Event-Id'], body))
                self.send_response(receiver.answer(body['lease']['name']))
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = _BurstServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/warn' % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def answer(self, name):
        if name.startswith('down-'):
            return 503
        if ((self.flaky or name.startswith('flaky-')) and
                len(self.of(name)) <= 2):
            return 500
        return 200

    def of(self, name):
        return [(event_id, body) for event_id, body in self.deliveries
                if body['lease']['name'] == name]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class MultiManagerTest(EngineTestCase):
    """Three managers share the schedule."""

    managers = 3
    config = {'manager': {'event_retry_interval': 0.5,
                          'event_max_retries': 2}}

    @classmethod
    def make_service(cls):
        cls.webhook = WebhookReceiver()
        cls.config = merge(cls.config, {'manager': {
            'before_end_webhook_url': cls.webhook.url}})
        return super().make_service()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.webhook.stop()

    def test_a_burst_runs_once_each_on_time_across_managers(self):
        self.check_burst(45, webhook=self.webhook)

    def test_back_to_back_leases_on_one_resource(self):
        """The end of the first runs before the start of the second, and
        a slow end holds back nothing else."""
        self.probe.behave('shared', on_end={'sleep': [4]})
        handover = whole_second(6)
        first = self.create('first', whole_second(2), handover, ['shared'])
        second, other = self.create_many([
            ('second', handover, later(handover, 3600), ['shared']),
            ('other', handover, later(handover, 3600), ['elsewhere'])])
        self.wait_for_status([second['id'], other['id']], 'ACTIVE')
        end_of_first = self.first_call(first, 'on_end', 'end')
        start_of_second = self.first_call(second, 'on_start')
        start_of_other = self.first_call(other, 'on_start')
        self.assertGreaterEqual(start_of_second['time'],
                                end_of_first['time'])
        self.assertLess(start_of_other['time'], end_of_first['time'])
        self.assertLess(start_of_other['time'] - epoch(handover),
                        LATENESS_BOUND)

    def test_failures_are_retried_then_shown_on_the_lease(self):
        self.probe.behave('flaky', on_start={'fail': 2})
        self.probe.behave('refuses', on_start={'refuse': True})
        self.probe.behave('down', on_start={'fail': 99})
        start = whole_second(2)
        end = later(start, 3600)
        flaky, refuses, down = self.create_many(
            [(name, start, end, [name])
             for name in ('flaky', 'refuses', 'down')])
        leases = self.wait_for_status([refuses['id'], down['id']], 'ERROR')
        leases = self.wait_for_status([flaky['id']], 'ACTIVE')
        attempts = [line['time'] for line in self.calls(flaky, 'on_start')]
        self.assertEqual(3, len(attempts))
        self.assertGreaterEqual(attempts[1] - attempts[0], 0.5)
        self.assertGreaterEqual(attempts[2] - attempts[1], 1.0)
        self.assertEqual(('DONE', None), self._start_event(leases, flaky))
        reservation = refuses['reservations'][0]['id']
        self.assertEqual(
            ('ERROR', 'on_start of reservation %s (test:probe) failed: '
                      'Conflict: Conflict: probe refuses on_start'
             % reservation), self._start_event(leases, refuses))
        self.assertEqual(1, len(self.calls(refuses, 'on_start')))
        status, error = self._start_event(leases, down)
        self.assertEqual('ERROR', status)
        self.assertIn('ServiceUnavailable', error)
        self.assertEqual(3, len(self.calls(down, 'on_start')))

    def _start_event(self, leases, lease):
        event = self.event(leases[lease['id']], 'start_lease')
        return event['status'], event['error']

    def test_before_end_webhook_is_retried_until_delivered(self):
        start = whole_second(2)
        warn = later(start, 2)
        flaky = self.create('flaky-hook', start, later(start, 3600),
                            before_end=warn)
        down = self.create('down-hook', start, later(start, 3600),
                           before_end=warn)

        def before_end_finished():
            leases = self.leases() or {}
            events = [self.event(leases[lease['id']], 'before_end_lease')
                      for lease in (flaky, down) if lease['id'] in leases]
            if all(e['status'] in ('DONE', 'ERROR') for e in events):
                return events
        flaky_event, down_event = self.wait_for(
            before_end_finished, 'the before_end events', 30)
        self.assertEqual(('DONE', None), (flaky_event['status'],
                                          flaky_event['error']))
        deliveries = self.webhook.of('flaky-hook')
        self.assertEqual(3, len(deliveries))
        self.assertEqual({flaky_event['id']}, {d[0] for d in deliveries})
        self.assertEqual(('before_end_lease', flaky['id']),
                         (deliveries[0][1]['event'],
                          deliveries[0][1]['lease']['id']))
        self.assertEqual('ERROR', down_event['status'])
        self.assertIn('before_end webhook %s answered 503'
                      % self.webhook.url, down_event['error'])
        self.assertEqual(3, len(self.webhook.of('down-hook')))
        self.assertEqual('ACTIVE', self.leases()[down['id']]['status'])

    def test_a_lease_own_webhook_is_retried_until_delivered(self):
        """Delivered at least once, besides the operator's webhook: the
        lease's receiver fails twice, then takes it."""
        own = WebhookReceiver(flaky=True)
        self.addCleanup(own.stop)
        start = whole_second(2)
        lease = self.create('own-hook', start, later(start, 3600),
                            before_end=later(start, 2), webhook=own.url)
        self.assertEqual(own.url, lease['before_end_webhook'])

        def before_end_finished():
            event = self.event((self.leases() or {}).get(
                lease['id'], lease), 'before_end_lease')
            if event['status'] in ('DONE', 'ERROR'):
                return event
        event = self.wait_for(before_end_finished, 'the before_end event',
                              30)
        self.assertEqual(('DONE', None), (event['status'], event['error']))
        deliveries = own.of('own-hook')
        self.assertEqual(3, len(deliveries))
        self.assertEqual({event['id']}, {d[0] for d in deliveries})
        self.assertEqual(own.url,
                         deliveries[-1][1]['lease']['before_end_webhook'])
        # The operator's receiver took each attempt: it heard of it too.
        self.assertEqual(3, len(self.webhook.of('own-hook')))


def _children(pid):
    children = []
    for task in os.listdir('/proc/%d/task' % pid):
        with open('/proc/%d/task/%s/children' % (pid, task)) as listed:
            children.extend(int(child) for child in listed.read().split())
    return children


class CrashTest(EngineTestCase):
    """Managers killed with SIGKILL in the middle of an event. Claims last
    three seconds (the heartbeat renews them every second while an event
    runs), so a dead manager's event is taken over within seconds."""

    managers = 2
    config = {'manager': {'event_claim_seconds': 3,
                          'event_retry_interval': 0.5,
                          'event_max_retries': 2}}

    def kill(self, manager):
        """SIGKILL a manager: its launcher (so that it does not start a
        new worker) and the worker running events."""
        workers = _children(manager.process.pid)
        manager.process.send_signal(signal.SIGKILL)
        for worker in workers:
            os.kill(worker, signal.SIGKILL)
        manager.process.wait()
        self.service.managers.remove(manager)

    def manager_running(self, pid):
        return next(m for m in self.service.managers
                    if pid in _children(m.process.pid))

    def test_a_step_longer_than_the_claim_keeps_its_claim(self):
        self.probe.behave('long', on_start={'sleep': [5]})
        lease = self.create('long', whole_second(1),
                            whole_second(3600), ['long'])
        self.wait_for_status([lease['id']], 'ACTIVE', timeout=30)
        self.assertEqual(1, len(self.calls(lease, 'on_start')))

    def test_killed_mid_end_another_manager_finishes(self):
        self.probe.behave('hangs', on_end={'sleep': [120]})
        start = whole_second(1)
        lease = self.create('killed-ending', start, later(start, 3),
                            ['quick', 'hangs'])
        victim = self.wait_for_call(lease, 'on_end')
        hanging = self.wait_for(
            lambda: [c for c in self.calls(lease, 'on_end')
                     if c['resource'] == 'hangs'], 'the hanging step', 30)[0]
        self.kill(self.manager_running(hanging['pid']))
        self.addCleanup(self.service.start_manager)
        leases = self.wait_for_status([lease['id']], 'TERMINATED')
        self.assertEqual({'deleted'}, {r['status'] for r in
                                       leases[lease['id']]['reservations']})
        ended = self.calls(lease, 'on_end', 'end')
        self.assertEqual({'quick', 'hangs'}, {c['resource'] for c in ended})
        self.assertNotIn(victim['pid'], {c['pid'] for c in ended
                                         if c['resource'] == 'hangs'})
        # The new manager did the whole end again: steps are idempotent.
        self.assertEqual(2, len([c for c in self.calls(lease, 'on_end')
                                 if c['resource'] == 'quick']))

    def test_a_step_that_kills_its_manager_is_given_up(self):
        """A poison event: each attempt kills the manager running it, so
        none records an outcome. After 1 + event_max_retries attempts
        the next manager to claim it records ERROR instead of running
        it again."""
        self.probe.behave('poison', on_start={'crash': True})
        lease = self.create('poison', whole_second(1), whole_second(3600),
                            ['poison'])
        leases = self.wait_for_status([lease['id']], 'ERROR', timeout=90)
        event = self.event(leases[lease['id']], 'start_lease')
        self.assertEqual('ERROR', event['status'])
        self.assertIn('3 attempt(s) ended without an outcome',
                      event['error'])
        crashed = [line['pid'] for line in self.calls(lease, 'on_start')]
        self.assertEqual(3, len(set(crashed)))
        time.sleep(4)  # more than a claim: nothing runs it again
        self.assertEqual(3, len(self.calls(lease, 'on_start')))

    def test_all_managers_killed_mid_start_a_restarted_one_finishes(self):
        self.probe.behave('stalls', on_start={'sleep': [120]})
        lease = self.create('killed-starting', whole_second(1),
                            whole_second(3600), ['stalls'])
        victim = self.wait_for_call(lease, 'on_start')
        for manager in list(self.service.managers):
            self.kill(manager)
        self.service.start_manager()
        self.addCleanup(self.service.start_manager)
        leases = self.wait_for_status([lease['id']], 'ACTIVE', timeout=30)
        finished = self.first_call(lease, 'on_start', 'end')
        self.assertNotEqual(victim['pid'], finished['pid'])
        self.assertEqual(('DONE', None), (
            self.event(leases[lease['id']], 'start_lease')['status'],
            self.event(leases[lease['id']], 'start_lease')['error']))


class OutageTest(EngineTestCase):
    """MariaDB and RabbitMQ go away and come back while leases start and
    end. Blazar reaches them through proxies that drop every connection
    and refuse new ones for a while, which is what a restart looks like
    from Blazar's side (the shared servers stay up for other test runs)."""

    managers = 2
    config = {'manager': {'event_claim_seconds': 3,
                          'event_retry_interval': 0.5},
              'DEFAULT': {'rpc_response_timeout': 5}}
    proxies = {}

    @classmethod
    def route(cls, url):
        parts = urllib.parse.urlsplit(url)
        proxy = blazar_fixtures.TcpProxy((parts.hostname, parts.port))
        proxy.setUp()
        cls.proxies[parts.scheme.split('+')[0]] = proxy
        netloc = parts.netloc.replace('%s:%d' % (parts.hostname, parts.port),
                                      '127.0.0.1:%d' % proxy.port)
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for proxy in cls.proxies.values():
            proxy.cleanUp()

    def outage(self, service, at, seconds):
        """Cut ``service`` off at time ``at`` for ``seconds``; returns the
        thread doing it and the list it fills with (dropped connections,
        start, end)."""
        happened = []

        def cut_and_restore():
            time.sleep(max(0.0, at - time.time()))
            proxy = self.proxies[service]
            before, start = proxy.dropped, time.time()
            proxy.cut()
            time.sleep(seconds)
            proxy.restore()
            happened.append((proxy.dropped - before, start, time.time()))
        thread = threading.Thread(target=cut_and_restore)
        thread.start()
        self.addCleanup(thread.join)
        return thread, happened

    def test_database_and_broker_restarts_under_load(self):
        count = 30
        # The first leases are still starting when the database goes:
        # they cannot even record that, and are done again once it is back.
        for n in range(5):
            self.probe.behave('outage-%d' % n, on_start={'sleep': [1.5]})
        first = whole_second(3 + 0.15 * count)
        specs = [('outage-%d' % n, later(first, 0.2 * n),
                  later(first, 0.2 * n + 2), ['outage-%d' % n])
                 for n in range(count)]
        leases = self.create_many(specs)
        t0 = epoch(first)
        database, database_outage = self.outage('mysql', t0 + 1, 3)
        broker, broker_outage = self.outage('rabbit', t0 + 6, 3)
        database.join()
        broker.join()
        done = self.wait_for_status([lease['id'] for lease in leases],
                                    'TERMINATED', timeout=90)
        (dropped, cut, restored), = database_outage
        self.assertGreater(dropped, 0)
        # Nothing can start without the database (in-flight work aside).
        self.assertEqual([], [line for line in self.probe.journal('begin')
                              if cut + 1 < line['time'] < restored])
        self.assertGreater(broker_outage[0][0], 0)
        self.assertIn(2, [len(self.calls(lease, 'on_start'))
                          for lease in leases[:5]])
        for lease in leases:
            self.assertEqual({'DONE'}, {e['status'] for e in
                                        done[lease['id']]['events']})
            start_done = self.first_call(lease, 'on_start', 'end')
            end_begun = self.calls(lease, 'on_end')[-1]
            self.assertLess(start_done['time'], end_begun['time'])
        for manager in self.service.managers:
            self.assertIsNone(manager.process.poll())
        start = whole_second(2)
        after = self.create('after-the-outages', start, later(start, 3600),
                            ['after'])
        self.wait_for_status([after['id']], 'ACTIVE', timeout=20)
        self.assertLess(self.first_call(after, 'on_start')['time'] -
                        epoch(start), LATENESS_BOUND)


class PostgreSQLManagersTest(EngineTestCase):
    """Two managers on PostgreSQL."""

    backend = 'postgresql'
    managers = 2

    def test_a_burst_runs_once_each_on_time_across_managers(self):
        self.check_burst(30)

"""What operators rely on, checked on real processes: the health check,
the access log, graceful shutdown on SIGTERM and reload on SIGHUP."""

import os
import re
import signal
import threading
import time
import uuid

import fixtures
import requests
import testtools

from tests.functional import base
from tests import fixtures as blazar_fixtures

LEASE = {'name': 'in-flight', 'start_date': '2040-01-01 10:00',
         'end_date': '2040-01-01 12:00', 'reservations': []}


def wait_for(predicate, timeout=60.0, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError('timed out waiting for %s' % what)


def read(path):
    with open(path) as log:
        return log.read()


class ProcessTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.database = self.useFixture(blazar_fixtures.Database('sqlite'))

    def _config(self, **sections):
        values = {'DEFAULT': {'transport_url': 'fake:/'},
                  'database': {'connection': self.database.url},
                  'manager': {'rpc_topic': 'blazar.test.%s'
                              % uuid.uuid4().hex}}
        for section, options in sections.items():
            values.setdefault(section, {}).update(options)
        self.sections = values
        return blazar_fixtures.write_config(self.directory, values)

    def _start(self, command, config_path, port=None):
        return self.useFixture(blazar_fixtures.BlazarProcess(
            command, config_path, port))


class HealthAndAccessLogTest(ProcessTestCase):
    """blazar-api with Keystone authentication (no Keystone needed: the
    requests here carry no token, which keystonemiddleware refuses itself).
    """

    def setUp(self):
        super().setUp()
        port = blazar_fixtures.free_port()
        self.url = 'http://127.0.0.1:%d' % port
        config_path = self._config(
            DEFAULT={'auth_strategy': 'keystone'}, api={'port': port},
            keystone_authtoken={'www_authenticate_uri':
                                'http://127.0.0.1:9/identity'})
        self.api = self._start('blazar-api', config_path, port)

    def test_healthcheck_answers_without_credentials(self):
        health = requests.get(self.url + '/healthcheck', timeout=30)
        leases = requests.get(self.url + '/v1/leases', timeout=30)
        self.assertEqual(200, health.status_code)
        self.assertEqual(401, leases.status_code)

    def test_every_request_is_logged_with_its_request_id(self):
        response = requests.get(self.url + '/v1/leases?limit=1', timeout=30)
        request_id = response.headers['x-openstack-request-id']
        line = re.compile(r'"GET /v1/leases\?limit=1" 401 %s \d+\.\d{3}s'
                          % re.escape(request_id))
        wait_for(lambda: line.search(read(self.api.log_path)),
                 what='the access log line')


class GracefulShutdownTest(ProcessTestCase):
    """SIGTERM while a request is in flight: the request completes."""

    def setUp(self):
        super().setUp()
        rabbit = os.environ.get('BLAZAR_TEST_RABBIT_URL')
        blazar_fixtures.require('rabbitmq', rabbit)
        self.port = blazar_fixtures.free_port()
        self.config_path = self._config(
            DEFAULT={'auth_strategy': 'noauth', 'transport_url': rabbit,
                     # Shows when the API has sent the request on.
                     'debug': 'true',
                     'default_log_levels': 'oslo_messaging=DEBUG'},
            api={'port': self.port})
        blazar_fixtures.run_command('blazar-db-manage', self.config_path,
                                    'upgrade', 'head')

    def _post_in_background(self):
        outcome = {}

        def post():
            try:
                outcome['response'] = requests.post(
                    'http://127.0.0.1:%d/v1/leases' % self.port, json=LEASE,
                    headers=base.NOAUTH_ADMIN, timeout=120)
            except Exception as error:
                outcome['error'] = error
        thread = threading.Thread(target=post)
        thread.start()
        self.addCleanup(thread.join, 120)
        return thread, outcome

    def test_request_in_flight_at_sigterm_completes(self):
        # A manager that has run once leaves its queue in RabbitMQ: with
        # it stopped, the create waits there, in flight when SIGTERM comes.
        manager = self._start('blazar-manager', self.config_path)
        wait_for(lambda: 'serving topic' in read(manager.log_path),
                 what='the manager to declare its queue')
        manager.stop()
        api = self._start('blazar-api', self.config_path, self.port)
        thread, outcome = self._post_in_background()
        wait_for(lambda: 'Expecting reply to msg' in read(api.log_path),
                 what='the API to call the manager')
        api.process.send_signal(signal.SIGTERM)
        wait_for(lambda: not self._accepts_connections(),
                 what='the API to stop listening')
        self.assertIsNone(api.process.poll())

        self._start('blazar-manager', self.config_path)
        thread.join(90)
        self.assertNotIn('error', outcome)
        self.assertEqual(201, outcome['response'].status_code,
                         outcome['response'].text)
        self.assertEqual(0, api.process.wait(30))

    def _accepts_connections(self):
        try:
            requests.get('http://127.0.0.1:%d/healthcheck' % self.port,
                         timeout=5)
            return True
        except requests.ConnectionError:
            return False


class ReloadTest(ProcessTestCase):
    """SIGHUP to blazar-manager applies mutable options, and only those."""

    def test_sighup_turns_debug_on(self):
        config_path = self._config()
        blazar_fixtures.run_command('blazar-db-manage', config_path,
                                    'upgrade', 'head')
        # The launcher makes itself a session leader, so the SIGHUP it
        # relays to its process group never reaches the test runner.
        manager = self._start('blazar-manager', config_path)
        log = lambda: read(manager.log_path)  # noqa: E731
        wait_for(lambda: log().count('serving topic') == 1,
                 what='the manager to start')
        self.assertNotIn(' DEBUG ', log())

        self.sections['DEFAULT']['debug'] = 'true'
        self.sections['manager']['rpc_topic'] = 'blazar.test.changed'
        blazar_fixtures.write_config(self.directory, self.sections)
        manager.process.send_signal(signal.SIGHUP)

        # The launcher restarts its worker with the new values.
        wait_for(lambda: log().count('serving topic') == 2,
                 what='the manager to restart its worker')
        self.assertRegex(log(), r' DEBUG .* debug +=+ True')
        self.assertIn('Ignoring change to immutable option '
                      'manager.rpc_topic', log())
        self.assertNotIn('serving topic blazar.test.changed', log())
        self.assertIsNone(manager.process.poll())

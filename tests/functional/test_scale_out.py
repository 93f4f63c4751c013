"""The scaled-out deployment of doc/source/admin/scaling-out.rst, for real:
the API under uwsgi with two worker processes and two managers sharing
one RabbitMQ topic and one MariaDB database."""

import concurrent.futures
import datetime
import os
import re
import subprocess
import sys
import time
import uuid

import fixtures
import requests
import testtools

from tests.functional import base
from tests import fixtures as blazar_fixtures

LEASES = 12


def _wait_for(predicate, what, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise TimeoutError('timed out waiting for %s' % what)


def _read(path):
    with open(path) as log:
        return log.read()


class UwsgiApi(fixtures.Fixture):
    """``blazar.api.wsgi:application`` under uwsgi: a master process and
    ``workers`` single-threaded workers, each loading the application
    after the fork (lazy-apps: no RPC connection shared across a fork)."""

    def __init__(self, config_path, port, workers=2):
        super().__init__()
        self.config_path = config_path
        self.port = port
        self.workers = workers

    def _setUp(self):
        self.log_path = os.path.join(os.path.dirname(self.config_path),
                                     'uwsgi.log')
        uwsgi = os.path.join(os.path.dirname(sys.executable), 'uwsgi')
        self.process = subprocess.Popen(
            [uwsgi, '--master', '--processes', str(self.workers),
             '--threads', '1', '--lazy-apps', '--need-app',
             '--virtualenv', sys.prefix,
             '--http-socket', '127.0.0.1:%d' % self.port,
             '--module', 'blazar.api.wsgi:application',
             '--env', 'BLAZAR_CONFIG_FILES=%s' % self.config_path,
             '--hook-master-start', 'unix_signal:15 gracefully_kill_them_all',
             '--logto', self.log_path],
            cwd=os.path.dirname(self.config_path))
        self.addCleanup(self._stop)
        self.addDetail('uwsgi-log', testtools.content.content_from_file(
            self.log_path, buffer_now=False))
        _wait_for(self._every_worker_ready, 'uwsgi workers to load the app')

    def _every_worker_ready(self):
        if self.process.poll() is not None:
            raise RuntimeError('uwsgi exited with %s'
                               % self.process.returncode)
        try:
            log = _read(self.log_path)
        except FileNotFoundError:
            return False
        return log.count('WSGI app 0 (mountpoint=\'\') ready') >= self.workers

    def _stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def worker_pids_that_served(self):
        """Process ids in the access log lines (oslo.log's format)."""
        return set(re.findall(r'^\S+ \S+ (\d+) INFO blazar\.api\.request_log',
                              _read(self.log_path), re.M))


class ScaleOutTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        rabbit = os.environ.get('BLAZAR_TEST_RABBIT_URL')
        blazar_fixtures.require('rabbitmq', rabbit)
        database = self.useFixture(blazar_fixtures.Database('mysql'))
        topic = 'blazar.test.%s' % uuid.uuid4().hex
        self.port = blazar_fixtures.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        sections = {
            'DEFAULT': {'auth_strategy': 'noauth', 'transport_url': rabbit,
                        # Shows which manager took which call.
                        'default_log_levels': 'oslo_messaging=DEBUG'},
            'database': {'connection': database.url},
            'manager': {'rpc_topic': topic},
        }
        self.managers = [self._manager_fixture(sections, 'manager-%d' % n)
                         for n in (1, 2)]
        api_config = self._write_config('api', sections)
        blazar_fixtures.run_command('blazar-db-manage', api_config,
                                    'upgrade', 'head')
        for manager in self.managers:
            manager.setUp()
            self.addCleanup(manager.cleanUp)
        for manager in self.managers:
            # The API's first calls must find the managers' queue.
            _wait_for(lambda: 'serving topic' in _read(manager.log_path),
                      'a manager to start')
        self.api = self.useFixture(UwsgiApi(api_config, self.port))

    def _write_config(self, name, sections):
        directory = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 name)
        os.mkdir(directory)
        return blazar_fixtures.write_config(directory, sections)

    def _manager_fixture(self, sections, host):
        """A manager fixture, not yet set up (the schema comes first)."""
        own = {section: dict(options) for section, options in
               sections.items()}
        own['DEFAULT']['host'] = host
        return blazar_fixtures.BlazarProcess(
            'blazar-manager', self._write_config(host, own))

    def _create(self, number):
        start = datetime.datetime.utcnow() + datetime.timedelta(seconds=2)
        body = {'name': 'lease-%d' % number,
                'start_date': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'end_date': '2040-01-01 10:00', 'reservations': []}
        return requests.post(self.url + '/v1/leases', json=body,
                             headers=base.NOAUTH_ADMIN, timeout=120)

    def test_workers_and_managers_share_the_work(self):
        with concurrent.futures.ThreadPoolExecutor(LEASES) as pool:
            responses = list(pool.map(self._create, range(LEASES)))
        self.assertEqual([201] * LEASES,
                         [response.status_code for response in responses],
                         [response.text for response in responses])
        created = {response.json()['lease']['id'] for response in responses}

        listed = requests.get(self.url + '/v1/leases',
                              headers=base.NOAUTH_ADMIN, timeout=60)
        self.assertEqual(created, {lease['id'] for lease in
                                   listed.json()['leases']})
        # Each lease started once, by whichever manager claimed it.
        _wait_for(lambda: self._statuses(created) == {'ACTIVE'},
                  'every lease to start')

        self.assertEqual(2, len(self.api.worker_pids_that_served()))
        for manager in self.managers:
            self.assertIn('received message', _read(manager.log_path))

    def _statuses(self, lease_ids):
        return {requests.get(self.url + '/v1/leases/%s' % lease_id,
                             headers=base.NOAUTH_ADMIN,
                             timeout=60).json()['lease']['status']
                for lease_id in lease_ids}

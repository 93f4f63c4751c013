"""The DevStack plugin, run phase by phase against a stand-in DevStack.

``tests/functional/devstack/fake-devstack.sh`` defines DevStack's
variables and functions: ini files are edited for real, processes really
start and stop, and the calls that need a cloud (Keystone, the database
server, the openstack client) are recorded. What the plugin writes is then
checked the way the services read it: every option of blazar.conf must be
one the services register (``tests.options_probe``), the database is
migrated by the plugin's own command, and blazar-api and blazar-manager
start from what the plugin wrote.
"""

import configparser
from importlib import metadata
import json
import os
import subprocess
import sys

import fixtures
import requests
import sqlalchemy as sa
import testtools

from blazar.db import migration
from tests import fixtures as blazar_fixtures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FAKE_DEVSTACK = os.path.join(ROOT, 'tests', 'functional', 'devstack',
                             'fake-devstack.sh')
BIN = os.path.dirname(sys.executable)

# DevStack sources settings once, then plugin.sh once per phase with the
# phase as arguments; "pause" waits for a line on stdin (the test's turn).
# FAKE_OVERRIDES may name a file that replaces some stand-in functions.
DRIVER = r'''
set -o errexit -o pipefail
source "$FAKE_DEVSTACK"
if [[ -n ${FAKE_OVERRIDES:-} ]]; then source "$FAKE_OVERRIDES"; fi
source "$BLAZAR_ROOT/devstack/settings"
for phase in "$@"; do
    if [[ $phase == pause ]]; then
        echo PAUSED
        read -r _
    else
        source "$BLAZAR_ROOT/devstack/plugin.sh" $phase
    fi
done
'''


def _installed_plugins():
    return {ep.name for ep in metadata.entry_points(
        group='blazar.resource.plugins')}


def _ini(path):
    parser = configparser.RawConfigParser(strict=False)
    parser.read(path)
    return parser


class DevStackDriver:
    """Runs devstack/plugin.sh phase by phase in the stand-in DevStack.

    A mixin for test cases; ``set_up_devstack`` prepares a scratch
    DevStack around a database and a nova.conf.
    """

    def set_up_devstack(self, database, port, nova_conf_text):
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.database = database
        self.conf_dir = os.path.join(self.directory, 'etc', 'blazar')
        self.conf_path = os.path.join(self.conf_dir, 'blazar.conf')
        self.nova_conf = os.path.join(self.directory, 'etc', 'nova',
                                      'nova.conf')
        self.calls_path = os.path.join(self.directory, 'calls.log')
        self.port = port
        self._write_nova_conf(nova_conf_text)

    def _environment(self, settings):
        environment = dict(os.environ)
        environment.update({
            'FAKE_DEVSTACK': FAKE_DEVSTACK, 'BLAZAR_ROOT': ROOT,
            'FAKE_DIR': self.directory, 'FAKE_LOG': self.calls_path,
            'PYTHON': sys.executable,
            'FAKE_DATABASE_URL': self.database.url,
            'FAKE_TRANSPORT_URL': 'rabbit://stackrabbit:secret@127.0.0.1/',
            'BLAZAR_CONF_DIR': self.conf_dir,
            'BLAZAR_SERVICE_PORT': str(self.port)})
        environment.update(settings)
        return environment

    def _stack(self, *phases, **settings):
        """Run the phases to the end; returns the driver's output."""
        result = subprocess.run(
            ['bash', '-c', DRIVER, 'driver', *phases],
            env=self._environment(settings), capture_output=True,
            text=True, timeout=300)
        self.assertEqual(0, result.returncode,
                         result.stdout[-3000:] + result.stderr[-3000:])
        return result.stdout

    def _calls(self):
        with open(self.calls_path) as calls:
            return calls.read().splitlines()

    def _write_nova_conf(self, text):
        os.makedirs(os.path.dirname(self.nova_conf))
        with open(self.nova_conf, 'w') as nova_conf:
            nova_conf.write(text)

    def _schema_revision(self):
        engine = sa.create_engine(self.database.url)
        self.addCleanup(engine.dispose)
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                'SELECT version_num FROM alembic_version').scalar()

    def _stack_and_pause(self, settings):
        """Stack with blazar-api and blazar-manager really started, then
        wait; returns the driver and its output so far."""
        settings = dict(settings, FAKE_START_PROCESSES='1')
        driver = subprocess.Popen(
            ['bash', '-c', DRIVER, 'driver', 'stack install',
             'stack post-config', 'stack extra', 'pause', 'unstack'],
            env=self._environment(settings), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(self._kill_leftovers)
        self.addCleanup(driver.kill)
        return driver, self._read_until_paused(driver)

    def _unstack(self, driver, output):
        """Let a paused driver unstack; the processes must be gone."""
        driver.stdin.write('\n')
        driver.stdin.flush()
        output += driver.stdout.read()
        self.assertEqual(0, driver.wait(120), output)
        for name in ('blazar-api', 'blazar-manager'):
            self.assertFalse(os.path.exists(self._pid_file(name)))

    def _read_until_paused(self, driver):
        output = ''
        for line in driver.stdout:
            output += line
            if line.strip() == 'PAUSED':
                return output
        self.fail('the driver stopped before the pause:\n' + output)

    def _wait_for_log(self, name, text):
        path = os.path.join(self.directory, '%s.log' % name)
        # Runs before the directory goes (cleanups run last first).
        self.addCleanup(self._attach_log, name, path)
        for _ in range(300):
            with open(path) as log:
                if text in log.read():
                    return
            blazar_fixtures.time.sleep(0.2)
        self.fail('%r never appeared in the %s log' % (text, name))

    def _attach_log(self, name, path):
        with open(path) as log:
            self.addDetail(name, testtools.content.text_content(log.read()))

    def _pid_file(self, name):
        return os.path.join(self.directory, '%s.pid' % name)

    def _kill_leftovers(self):
        for name in ('blazar-api', 'blazar-manager'):
            try:
                with open(self._pid_file(name)) as pid_file:
                    os.kill(int(pid_file.read()), 15)
            except (OSError, ValueError):
                pass


class DevStackPluginTest(DevStackDriver, testtools.TestCase):

    def setUp(self):
        super().setUp()
        # What DevStack's Nova configuration leaves before post-config.
        self.set_up_devstack(
            self.useFixture(blazar_fixtures.Database('sqlite')),
            blazar_fixtures.free_port(),
            '[filter_scheduler]\n'
            'enabled_filters = ComputeFilter,AvailabilityZoneFilter\n')

    def _unknown_options(self):
        result = subprocess.run(
            [sys.executable, '-m', 'tests.options_probe', self.conf_path],
            capture_output=True, text=True, timeout=120, cwd=ROOT)
        self.assertEqual(0, result.returncode, result.stderr[-3000:])
        return json.loads(result.stdout.splitlines()[-1])

    def test_stack_under_uwsgi_then_unstack_and_clean(self):
        self._stack('stack install', 'stack post-config', 'stack extra')

        self._check_accounts_and_database()
        self._check_blazar_conf()
        self._check_nova_conf()
        self._check_uwsgi_and_processes()

        # Stacking again changes nothing; unstack and clean undo.
        self._stack('stack post-config', 'unstack', 'clean')
        self._check_nova_conf()
        calls = self._calls()
        self.assertIn('stop_process blazar-api', calls)
        self.assertIn('stop_process blazar-manager', calls)
        self.assertIn('remove_uwsgi_config %s/blazar-api-uwsgi.ini '
                      'blazar-api' % self.conf_dir, calls)
        self.assertFalse(os.path.exists(self.conf_dir))

    def _check_accounts_and_database(self):
        calls = self._calls()
        self.assertIn('setup_develop %s/opt/stack/blazar' % self.directory,
                      calls)
        self.assertIn('pip_install python-blazarclient', calls)
        self.assertIn('create_service_user blazar admin', calls)
        self.assertIn('get_or_create_service blazar reservation OpenStack '
                      'Reservation Service', calls)
        self.assertIn('get_or_create_endpoint reservation RegionOne '
                      'http://127.0.0.1/reservation/v1', calls)
        self.assertIn('recreate_database blazar', calls)
        self.assertEqual(migration.head(), self._schema_revision())

    def _check_blazar_conf(self):
        conf = _ini(self.conf_path)
        self.assertEqual('keystone', conf['DEFAULT']['auth_strategy'])
        self.assertEqual(self.database.url, conf['database']['connection'])
        self.assertTrue(conf['DEFAULT']['transport_url'].startswith(
            'rabbit://'))
        expected_plugins = ['physical.host.plugin'] + sorted(
            {'virtual.instance.plugin'} & _installed_plugins())
        self.assertEqual(expected_plugins,
                         conf['manager']['plugins'].split(','))
        self.assertEqual('nova', conf['physical:host']['inventory'])
        for section in ('keystone_authtoken', 'nova', 'placement'):
            self.assertEqual('password', conf[section]['auth_type'])
            self.assertEqual('blazar', conf[section]['username'])
        self.assertEqual([], self._unknown_options())

    def _check_nova_conf(self):
        nova = configparser.RawConfigParser(strict=False)
        with open(self.nova_conf) as nova_conf:
            lines = nova_conf.read().splitlines()
        self.assertEqual(
            ['available_filters = nova.scheduler.filters.all_filters',
             'available_filters = blazar.nova.filter.BlazarFilter'],
            [line for line in lines
             if line.startswith('available_filters')])
        nova.read_string('\n'.join(line for line in lines
                                   if not line.startswith('available')))
        # Instance reservations' flavors are placed by the extra-specs
        # filter, added when their plugin is installed.
        placing = (['AggregateInstanceExtraSpecsFilter']
                   if 'virtual.instance.plugin' in _installed_plugins()
                   else [])
        self.assertEqual(
            ','.join(['ComputeFilter', 'AvailabilityZoneFilter'] + placing
                     + ['BlazarFilter']),
            nova['filter_scheduler']['enabled_filters'])
        self.assertEqual('freepool', nova['blazar:physical:host'][
            'aggregate_freepool_name'])
        self.assertEqual('http://127.0.0.1/reservation/v1',
                         nova['blazar']['url'])
        self.assertEqual('blazar', nova['blazar']['username'])

    def _check_uwsgi_and_processes(self):
        uwsgi_ini = os.path.join(self.conf_dir, 'blazar-api-uwsgi.ini')
        uwsgi = _ini(uwsgi_ini)['uwsgi']
        self.assertEqual('blazar.api.wsgi:application', uwsgi['module'])
        self.assertEqual('BLAZAR_CONFIG_FILES=%s' % self.conf_path,
                         uwsgi['env'])
        calls = self._calls()
        self.assertIn('run_process blazar-api %s/uwsgi --procname-prefix '
                      'blazar-api --ini %s' % (BIN, uwsgi_ini), calls)
        self.assertIn('run_process blazar-manager %s/blazar-manager '
                      '--config-file %s' % (BIN, self.conf_path), calls)
        self.assertIn('wait_for_service '
                      'http://127.0.0.1/reservation/healthcheck', calls)
        self.assertIn('openstack --os-cloud devstack-admin aggregate create '
                      'freepool', calls)

    def test_standalone_api_and_manager_really_start(self):
        rabbit = os.environ.get('BLAZAR_TEST_RABBIT_URL')
        blazar_fixtures.require('rabbitmq', rabbit)
        driver, output = self._stack_and_pause({
            'BLAZAR_USE_UWSGI': 'False', 'FAKE_TRANSPORT_URL': rabbit})

        url = 'http://127.0.0.1:%d' % self.port
        self.assertEqual(200, requests.get(url + '/healthcheck',
                                           timeout=30).status_code)
        # Keystone authentication, as configured (no token: refused).
        self.assertEqual(401, requests.get(url + '/v1/leases',
                                           timeout=30).status_code)
        self.assertIn('get_or_create_endpoint reservation RegionOne '
                      '%s/v1' % url, self._calls())
        blazar_fixtures.wait_for_port(self.port)
        self._wait_for_log('blazar-manager', 'serving topic')
        self._unstack(driver, output)
        self.assertRaises(requests.ConnectionError, requests.get,
                          url + '/healthcheck', timeout=5)

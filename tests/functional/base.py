"""Test cases that drive a real Blazar through its HTTP API.

``ServiceTestCase`` starts Blazar once per test class as real processes:
``blazar-all`` on SQLite by default, or ``blazar-api`` and
``blazar-manager`` over RabbitMQ on MariaDB or PostgreSQL
(``topology = 'split'``). Each class gets its own database and RPC topic.
"""

import os
import uuid

from blazarclient import client as blazar_client
import fixtures
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import requests
import testtools

from tests import fixtures as blazar_fixtures
from tests import nova_bus

NOAUTH_ADMIN = {'X-User-Id': 'admin', 'X-Project-Id': 'admin',
                'X-Roles': 'admin,member,reader'}


def member_of(project, user=None, roles='member,reader'):
    return {'X-User-Id': user or 'user-of-%s' % project,
            'X-Project-Id': project, 'X-Roles': roles}


def ids(items):
    """The ids of API objects, in order (for comparing listings)."""
    return [item['id'] for item in items]


class BlazarService(fixtures.Fixture):
    """Blazar running for real, on ``backend``, in ``topology``."""

    def __init__(self, backend='sqlite', topology='all', config=None,
                 env=None, route=None):
        """``env``: extra environment of the processes; ``route`` maps
        each server URL Blazar is given (database, message bus) to the
        one it connects to (tests route them through proxies)."""
        super().__init__()
        self.backend = backend
        self.topology = topology
        self.config = config or {}
        self.env = env
        self.route = route or (lambda url: url)

    def _setUp(self):
        self.directory = self.useFixture(fixtures.TempDir()).path
        database = self.useFixture(blazar_fixtures.Database(self.backend))
        self.database_url = database.url
        self.port = blazar_fixtures.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.transport_url = self._transport_url()
        # Other tests' managers listen on the same bus.
        pool = nova_bus.pool_name()
        if self.topology != 'all':
            self.addCleanup(nova_bus.delete_pool_queue, self.transport_url,
                            pool)
        sections = {
            'DEFAULT': {'auth_strategy': 'noauth',
                        'transport_url': self.transport_url},
            'database': {'connection': self.route(database.url)},
            'api': {'port': self.port},
            'manager': {'rpc_topic': 'blazar.test.%s' % uuid.uuid4().hex,
                        'notification_pool': pool},
            'oslo_concurrency': {'lock_path': self.directory},
        }
        for section, options in self.config.items():
            sections.setdefault(section, {}).update(options)
        self.config_path = blazar_fixtures.write_config(self.directory,
                                                        sections)
        if self.topology == 'all':
            self._start('blazar-all', self.port)
        else:
            self.migrate()
            self.managers = []
            self.start_manager()
            self._start('blazar-api', self.port)

    def _transport_url(self):
        if self.topology == 'all':
            return 'fake:/'
        url = os.environ.get('BLAZAR_TEST_RABBIT_URL')
        blazar_fixtures.require('rabbitmq', url)
        return self.route(url)

    def _start(self, command, port=None):
        return self.useFixture(blazar_fixtures.BlazarProcess(
            command, self.config_path, port, self.env))

    def start_manager(self):
        """Another blazar-manager (added to ``managers``), once it serves
        RPC and runs events."""
        manager = self._start('blazar-manager')
        manager.wait_for_log('serving topic')
        self.managers.append(manager)
        return manager

    def migrate(self):
        blazar_fixtures.run_command('blazar-db-manage', self.config_path,
                                    'upgrade', 'head')


class ServiceTestCase(testtools.TestCase):
    """One Blazar per class; tests talk HTTP to ``cls.service.url``."""

    backend = 'sqlite'
    topology = 'all'
    config = {}

    @classmethod
    def make_service(cls):
        return BlazarService(cls.backend, cls.topology, cls.config)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = blazar_fixtures.set_up_or_skip(cls.make_service())

    @classmethod
    def tearDownClass(cls):
        cls.service.cleanUp()
        super().tearDownClass()

    def request(self, method, path, body=None, headers=None, data=None):
        all_headers = {'Content-Type': 'application/json'}
        all_headers.update(headers or NOAUTH_ADMIN)
        return requests.request(method, self.service.url + path,
                                json=body, data=data, headers=all_headers,
                                timeout=60)

    def client(self, headers=None):
        """python-blazarclient, as a user's code would use it: with a URL
        and token (the admin in noauth mode), or through a keystoneauth
        session carrying another identity's headers."""
        endpoint = self.service.url + '/v1'
        if headers is None:
            return blazar_client.Client(blazar_url=endpoint,
                                        auth_token='unused-in-noauth')
        session = ks_session.Session(auth=noauth.NoAuth(endpoint=endpoint),
                                     additional_headers=headers)
        return blazar_client.Client(session=session,
                                    endpoint_override=endpoint)

    def assertNoContent(self, response):
        """A 204 with no body on the wire (requests hides a stray body of a
        204, so the declared length is what proves it)."""
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual('0', response.headers.get('Content-Length', '0'))

    def assertError(self, response, status, message=None):
        self.assertEqual(status, response.status_code, response.text)
        body = response.json()
        if message is not None:
            self.assertEqual(message, body['error_message'])
        return body

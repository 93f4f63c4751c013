"""The DevStack plugin against the real services of the test cloud.

The stand-in DevStack of ``tests/functional/devstack`` runs the plugin's
phases, with DevStack's Keystone, database and openstack-client functions
done for real (``tests/integration/devstack/cloud-devstack.sh``): the
plugin creates its service user and catalog entry in the cloud's Keystone,
its database on MariaDB, its freepool aggregate in Nova, and starts
blazar-api (Keystone authentication) and blazar-manager (RabbitMQ, Nova
inventory) from the configuration it wrote. Users then reach Blazar
through the catalog, with python-blazarclient and the openstack CLI.

The catalog's ``reservation`` endpoint of the test cloud is the one the
plugin registers, so the service listens on the cloud's Blazar port and
the test holds the host-layout lock, as other tests that run Blazar there.
"""

import os
import subprocess
import sys
import urllib.parse
import uuid

from blazarclient import client as blazar_client
from blazarclient import exception as blazar_exc
import requests
import testtools

from blazar.db import migration
from tests import fixtures as blazar_fixtures
from tests.functional import test_devstack
from tests.integration import cloud as test_cloud

OVERRIDES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         'devstack', 'cloud-devstack.sh')
BIN = os.path.dirname(sys.executable)


@test_cloud.skip_unless_cloud
class DevStackOnCloudTest(test_devstack.DevStackDriver, testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = test_cloud.ensure_cloud()
        self.rabbit = os.environ.get('BLAZAR_TEST_RABBIT_URL')
        blazar_fixtures.require('rabbitmq', self.rabbit)
        self.useFixture(test_cloud.HostLayoutLock(exclusive=True))
        endpoint = urllib.parse.urlsplit(self.cloud.endpoints['reservation'])
        test_cloud.refuse_busy_port(endpoint.port)
        # Nova's own configuration, which the plugin edits.
        with open(self.cloud.description['nova_conf']) as nova_conf:
            nova_conf_text = nova_conf.read()
        self.set_up_devstack(
            self.useFixture(blazar_fixtures.Database('mysql')),
            endpoint.port, nova_conf_text)
        self.endpoint_host = endpoint.hostname
        # Deleted with the layout lock (HostLayoutLock).
        self.freepool = 'freepool-devstack-%s' % uuid.uuid4().hex[:8]
        self.nova = self.cloud.nova()

    def _settings(self):
        admin = self.cloud.description['admin']
        service = self.cloud.blazar_credentials()
        clouds_yaml = os.path.join(self.directory, 'clouds.yaml')
        with open(clouds_yaml, 'w') as clouds:
            clouds.write(
                'clouds:\n  devstack-admin:\n    auth: {%s}\n'
                '    region_name: %s\n    identity_api_version: 3\n' % (
                    ', '.join('%s: "%s"' % item for item in admin.items()),
                    self.cloud.region_name))
        return {'FAKE_OVERRIDES': OVERRIDES,
                'OS_CLIENT_CONFIG_FILE': clouds_yaml,
                'CLOUD_KEYSTONE_URI': self.cloud.keystone_url,
                'CLOUD_SERVICE_PASSWORD': service['password'],
                'CLOUD_SERVICE_PROJECT_NAME': service['project_name'],
                'CLOUD_REGION_NAME': self.cloud.region_name,
                'BLAZAR_SERVICE_HOST': self.endpoint_host,
                'BLAZAR_USE_UWSGI': 'False',
                'BLAZAR_FREEPOOL_NAME': self.freepool,
                'FAKE_TRANSPORT_URL': self.rabbit}

    def test_stacked_blazar_serves_users_through_the_catalog(self):
        driver, output = self._stack_and_pause(self._settings())
        self._wait_for_log('blazar-manager', 'serving topic')

        self._check_keystone_and_database()
        self.assertIn(self.freepool,
                      [a.name for a in self.nova.aggregates.list()])
        url = self.cloud.endpoints['reservation']
        self.assertEqual(401, requests.get(url + '/leases',
                                           timeout=30).status_code)
        self._enroll_and_withdraw_through_the_catalog()
        self._list_with_the_openstack_cli()

        self._unstack(driver, output)

    def _check_keystone_and_database(self):
        # The service user logs in with what the plugin configured, and
        # the catalog leads its session to Blazar.
        session = self.cloud.blazar_session()
        self.assertIn('admin', session.auth.get_access(session).role_names)
        self.assertEqual(self.cloud.endpoints['reservation'],
                         session.get_endpoint(
                             service_type='reservation', interface='public',
                             region_name=self.cloud.region_name))
        self.assertEqual(migration.head(), self._schema_revision())

    def _enroll_and_withdraw_through_the_catalog(self):
        blazar = blazar_client.Client(session=self.cloud.admin_session(),
                                      service_type='reservation',
                                      region_name=self.cloud.region_name)
        name = sorted(self.cloud.compute_hosts)[0]
        host = blazar.host.create(name=name)
        try:
            # Looked up in Nova, and waiting in the plugin's freepool.
            self.assertEqual(name, host['hypervisor_hostname'])
            self.assertGreater(int(host['vcpus']), 0)
            self.assertEqual([name], self._aggregate_hosts(self.freepool))
            self.assertEqual([host['id']],
                             [h['id'] for h in blazar.host.list()])
        finally:
            blazar.host.delete(host['id'])
        self.assertEqual([], self._aggregate_hosts(self.freepool))
        self.assertRaises(blazar_exc.BlazarClientException,
                          blazar.host.get, host['id'])

    def _aggregate_hosts(self, name):
        return [a.hosts for a in self.nova.aggregates.list()
                if a.name == name][0]

    def _list_with_the_openstack_cli(self):
        result = subprocess.run(
            [os.path.join(BIN, 'openstack'), '--os-cloud', 'devstack-admin',
             'reservation', 'lease', 'list', '-f', 'value'],
            env=dict(os.environ, OS_CLIENT_CONFIG_FILE=os.path.join(
                self.directory, 'clouds.yaml')),
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr[-3000:])
        self.assertEqual('', result.stdout.strip())

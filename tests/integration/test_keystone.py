"""Blazar behind the test cloud's real Keystone.

blazar-api and blazar-manager run as separate processes over RabbitMQ
with ``auth_strategy = keystone``: keystonemiddleware validates tokens
with the cloud's ``blazar`` service user, which is also the trustee of
the leases' trusts (``[trustee]``). The class registers the API in the
catalog as DevStack does (type ``reservation``, URL ending in ``/v1``),
in a region of its own so that it never shadows the endpoint the cloud
registered for other tests, and removes it afterwards; clients find it
through the catalog only. Users are fresh projects' users. Hosts come
from the static inventory, so nothing in Nova changes and no host
layout lock is needed. Runs only with BLAZAR_TEST_CLOUD=1.
"""

import datetime
import json
import os
import subprocess
import sys
import time
import types
import uuid

from blazarclient import client as blazar_client
from blazarclient import exception as blazar_exc
import fixtures
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests
import testtools

from tests.functional import base
from tests.integration import cloud as test_cloud
from tests.integration import test_host_reservation

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
CLI_TIMEOUT = 120
LEASE_END_TIMEOUT = 60
UNAUTHENTICATED = 'The request you have made requires authentication.'

utcnow = test_host_reservation.utcnow
wire_date = test_host_reservation.wire_date


class CatalogEntry(fixtures.Fixture):
    """The cloud's ``reservation`` service gets public and internal
    endpoints at ``url`` in a new region ``region``."""

    def __init__(self, cloud, url):
        super().__init__()
        self.cloud = cloud
        self.url = url

    def _setUp(self):
        admin = self.cloud.admin_session()
        keystone = self.cloud.keystone_url
        self.region = 'blazar-test-%s' % uuid.uuid4().hex[:8]
        admin.post(keystone + '/regions',
                   json={'region': {'id': self.region}})
        self.addCleanup(admin.delete, keystone + '/regions/' + self.region)
        service = admin.get(keystone + '/services?type=reservation').json()[
            'services'][0]
        for interface in ('public', 'internal'):
            endpoint = admin.post(keystone + '/endpoints', json={'endpoint': {
                'service_id': service['id'], 'interface': interface,
                'region_id': self.region, 'url': self.url}}).json()['endpoint']
            self.addCleanup(admin.delete,
                            keystone + '/endpoints/' + endpoint['id'])


def keystone_sections(cloud):
    service_user = dict(cloud.blazar_credentials(), auth_type='password')
    return {
        'DEFAULT': {'auth_strategy': 'keystone'},
        'keystone_authtoken': dict(service_user, memcached_servers='',
                                   www_authenticate_uri=cloud.keystone_url),
        'trustee': service_user,
        'manager': {'plugins': 'physical.host.plugin'},
        'physical:host': {'inventory': 'static'},
    }


@test_cloud.skip_unless_cloud
class KeystoneTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cloud = test_cloud.ensure_cloud()
        cls.blazar = base.BlazarService(topology='split',
                                        config=keystone_sections(cls.cloud))
        cls.blazar.setUp()
        try:
            cls.catalog = CatalogEntry(cls.cloud, cls.blazar.url + '/v1')
            cls.catalog.setUp()
        except BaseException:
            cls.blazar.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.catalog.cleanUp()
        finally:
            cls.blazar.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.admin = self.cloud.admin_session()
        self.owner = self.useFixture(test_cloud.ProjectUser(self.cloud))

    # --- helpers -------------------------------------------------------------

    def client(self, user):
        """python-blazarclient as an application uses it: a keystoneauth
        session and the catalog."""
        return blazar_client.Client(session=user.session,
                                    service_type='reservation',
                                    region_name=self.catalog.region)

    def create_lease(self, user, start='2040-01-01 10:00',
                     end='2040-01-01 12:00'):
        lease = self.client(user).lease.create(
            name='keystone-%s' % uuid.uuid4().hex[:8], start=start, end=end,
            reservations=[], events=[])
        self.addCleanup(self._delete_quietly, lease['id'])
        return lease

    def _delete_quietly(self, lease_id):
        self.admin.delete('%s/v1/leases/%s' % (self.blazar.url, lease_id),
                          raise_exc=False)

    def trust(self, trust_id):
        """The trust as Keystone's admin sees it; None once deleted."""
        try:
            return self.admin.get('%s/OS-TRUST/trusts/%s' % (
                self.cloud.keystone_url, trust_id)).json()['trust']
        except ks_exc.NotFound:
            return None

    def trusts_of(self, user):
        return self.admin.get('%s/OS-TRUST/trusts?trustor_user_id=%s' % (
            self.cloud.keystone_url, user.user_id)).json()['trusts']

    def assertClientError(self, status, function, *args):
        error = self.assertRaises(blazar_exc.BlazarClientException, function,
                                  *args)
        self.assertEqual(status, error.kwargs['code'], str(error))
        return error

    def openstack(self, credentials, *args):
        """``openstack ARGS -f json`` with password auth from the
        environment, as a user's shell would run it."""
        env = dict(os.environ, OS_AUTH_TYPE='password',
                   OS_AUTH_URL=credentials['auth_url'],
                   OS_USERNAME=credentials['username'],
                   OS_PASSWORD=credentials['password'],
                   OS_USER_DOMAIN_NAME='Default',
                   OS_PROJECT_DOMAIN_NAME='Default',
                   OS_IDENTITY_API_VERSION='3',
                   OS_REGION_NAME=self.catalog.region,
                   OS_INTERFACE='public')
        for key, value in credentials.items():
            if key.startswith('project_'):
                env['OS_' + key.upper()] = value
        result = subprocess.run(
            [OPENSTACK] + list(args), env=env, capture_output=True,
            text=True, timeout=CLI_TIMEOUT)
        self.assertEqual(0, result.returncode, '%s failed:\n%s%s' % (
            ' '.join(args), result.stdout, result.stderr))
        output = result.stdout
        if output.startswith('Created a new'):
            # blazarclient announces a creation before the record.
            output = output.split('\n', 1)[1]
        return json.loads(output) if '-f' in args else output

    # --- authentication ------------------------------------------------------

    def test_calls_without_a_valid_token_are_refused(self):
        url = self.blazar.url + '/v1/leases'
        before = self.client(self.owner).lease.list()
        for headers in ({}, {'X-Auth-Token': 'not-a-token'},
                        # noauth's identity headers mean nothing here.
                        dict(base.NOAUTH_ADMIN)):
            for method in ('GET', 'POST'):
                response = requests.request(
                    method, url, headers=headers, timeout=30,
                    json={'name': 'x', 'start_date': 'now',
                          'end_date': '2040-01-01 10:00'})
                self.assertEqual(401, response.status_code,
                                 (method, headers, response.text))
                self.assertIn('Keystone uri=',
                              response.headers['WWW-Authenticate'])
                self.assertEqual(UNAUTHENTICATED,
                                 response.json()['error']['message'])
        self.assertEqual(before, self.client(self.owner).lease.list())

    # --- clients through the catalog ----------------------------------------

    def test_blazarclient_creates_lists_and_deletes_leases(self):
        client = self.client(self.owner)
        lease = self.create_lease(self.owner)
        self.assertEqual(self.owner.project_id, lease['project_id'])
        self.assertEqual(self.owner.user_id, lease['user_id'])
        self.assertEqual(lease['id'], client.lease.get(lease['id'])['id'])
        self.assertEqual([lease['id']],
                         [listed['id'] for listed in client.lease.list()])
        client.lease.delete(lease['id'])
        self.assertClientError(404, client.lease.get, lease['id'])
        self.assertEqual([], client.lease.list())

    def test_openstack_cli(self):
        admin = self.cloud.description['admin']
        host_name = 'static-%s' % uuid.uuid4().hex[:8]
        blazar_client.Client(
            session=self.cloud.admin_session(), region_name=self.catalog.region
        ).host.create(host_name, vcpus=8, memory_mb=16384, local_gb=100)
        hosts = self.openstack(admin, 'reservation', 'host', 'list',
                               '-f', 'json')
        self.assertEqual([host_name],
                         [h['hypervisor_hostname'] for h in hosts])

        owner = self.owner.credentials
        name = 'cli-%s' % uuid.uuid4().hex[:8]
        created = self.openstack(
            owner, 'reservation', 'lease', 'create',
            '--start-date', '2040-02-01 10:00',
            '--end-date', '2040-02-01 12:00',
            '--reservation', 'resource_type=physical:host,min=1,max=1',
            name, '-f', 'json')
        self.addCleanup(self._delete_quietly, created['id'])
        listed = self.openstack(owner, 'reservation', 'lease', 'list',
                                '-f', 'json')
        self.assertEqual([(created['id'], name)],
                         [(lease['id'], lease['name']) for lease in listed])
        shown = self.openstack(owner, 'reservation', 'lease', 'show', name,
                               '-f', 'json')
        self.assertEqual(self.owner.project_id, shown['project_id'])
        self.assertIsNotNone(self.trust(shown['trust_id']))
        self.openstack(owner, 'reservation', 'lease', 'delete', name)
        self.assertEqual([], self.client(self.owner).lease.list())
        self.assertIsNone(self.trust(shown['trust_id']))

    # --- projects kept apart -------------------------------------------------

    def test_other_projects_and_readers(self):
        lease = self.create_lease(self.owner)
        stranger = self.useFixture(test_cloud.ProjectUser(self.cloud))
        strangers = self.client(stranger)
        self.assertClientError(404, strangers.lease.get, lease['id'])
        self.assertClientError(404, strangers.lease.delete, lease['id'])
        self.assertEqual([], strangers.lease.list())

        reader = self.useFixture(test_cloud.ProjectUser(self.cloud,
                                                        role='reader'))
        error = self.assertClientError(403, self.create_lease, reader)
        self.assertIn("Policy doesn't allow blazar:leases:post to be "
                      "performed", str(error))
        self.assertEqual([], self.trusts_of(reader))
        self.assertEqual([], self.client(reader).lease.list())
        self.assertIsNotNone(self.trust(lease['trust_id']))

    # --- acting later on the owner's behalf ----------------------------------

    def test_restricted_application_credentials_cannot_create_leases(self):
        # Keystone lets them create no trust, so Blazar could not act for
        # the owner later: refused, and nothing is stored.
        credential = self.owner.session.post(
            '%s/users/%s/application_credentials' % (
                self.cloud.keystone_url, self.owner.user_id),
            json={'application_credential': {
                'name': 'blazar-%s' % uuid.uuid4().hex[:8]}}).json()[
                    'application_credential']
        session = ks_session.Session(auth=v3.ApplicationCredential(
            auth_url=self.cloud.keystone_url,
            application_credential_id=credential['id'],
            application_credential_secret=credential['secret']))
        error = self.assertClientError(
            403, self.create_lease, types.SimpleNamespace(session=session))
        self.assertIn('Keystone refused to create a trust for the lease',
                      str(error))
        self.assertEqual([], self.client(self.owner).lease.list())

    def test_lease_holds_a_trust_until_deleted(self):
        lease = self.create_lease(self.owner)
        trust = self.trust(lease['trust_id'])
        blazar_user = self.admin.get_user_id(auth=v3.Password(
            **self.cloud.blazar_credentials()))
        self.assertEqual(
            (self.owner.user_id, blazar_user, self.owner.project_id, True),
            (trust['trustor_user_id'], trust['trustee_user_id'],
             trust['project_id'], trust['impersonation']))
        self.assertIn('member', [role['name'] for role in trust['roles']])
        self.assertIsNone(trust['expires_at'])

        # What the manager does at event time: the trustee, scoped by the
        # trust, acts as the owner in the lease's project.
        acting = v3.Password(trust_id=lease['trust_id'], **{
            key: value for key, value in
            self.cloud.blazar_credentials().items()
            if not key.startswith('project_')})
        access = acting.get_access(self.admin)
        self.assertEqual((self.owner.user_id, self.owner.project_id),
                         (access.user_id, access.project_id))

        self.client(self.owner).lease.delete(lease['id'])
        self.assertIsNone(self.trust(lease['trust_id']))
        self.assertEqual([], self.trusts_of(self.owner))

    def test_trust_is_deleted_when_the_lease_ends(self):
        now = utcnow()
        lease = self.create_lease(
            self.owner, start='now',
            end=wire_date(now + datetime.timedelta(seconds=3)))
        # Under load the lease may have ended already: the trust's
        # creation is checked by the tests above.
        self.assertIsNotNone(lease['trust_id'])
        client = self.client(self.owner)
        deadline = time.monotonic() + LEASE_END_TIMEOUT
        while client.lease.get(lease['id'])['status'] != 'TERMINATED':
            self.assertLess(time.monotonic(), deadline,
                            client.lease.get(lease['id']))
            time.sleep(0.5)
        self.assertIsNone(client.lease.get(lease['id'])['trust_id'])
        self.assertIsNone(self.trust(lease['trust_id']))

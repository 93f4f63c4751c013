"""Who may do what to a lease or a host, through the real API and
oslo.policy.

Identities are set by headers (noauth); roles are given as Keystone would
expand them (a member is also a reader).
"""

import os
import shutil
import tempfile
import time

from tests.functional import base
from tests.functional import test_hosts
from tests.functional import test_leases

OWNER = 'p-owner'
OTHER = 'p-other'

IDENTITIES = {
    'admin of owner': base.member_of(OWNER, 'admin-o', roles='admin'),
    'member of owner': base.member_of(OWNER, 'member-o'),
    'reader of owner': base.member_of(OWNER, 'reader-o', roles='reader'),
    'no role in owner': base.member_of(OWNER, 'guest-o', roles='guest'),
    'admin of other': base.member_of(OTHER, 'admin-x', roles='admin'),
    'member of other': base.member_of(OTHER, 'member-x'),
    'reader of other': base.member_of(OTHER, 'reader-x', roles='reader'),
}


def denied(action, resource='leases'):
    return (403, "Policy doesn't allow blazar:%s:%s to be performed"
            % (resource, action))


def not_found(lease_id):
    return (404, "Object with {'lease_id': '%s'} not found" % lease_id)


class PolicyTestMixin:

    def create_lease(self, headers, name='owned'):
        response = self.request('POST', '/v1/leases',
                                test_leases.lease_body(name=name),
                                headers=headers)
        self.assertEqual(201, response.status_code, response.text)
        return response.json()['lease']

    def outcome(self, response):
        """(status, error message or None) of a response."""
        if response.status_code < 400:
            return (response.status_code, None)
        return (response.status_code, response.json().get('error_message'))

    def listed_ids(self, headers):
        response = self.request('GET', '/v1/leases', headers=headers)
        self.assertEqual(200, response.status_code, response.text)
        return {lease['id'] for lease in response.json()['leases']}

    def assertNoMismatch(self, expected, actual):
        wrong = ['%s: expected %s, got %s' % (who, expected[who], actual[who])
                 for who in expected if expected[who] != actual[who]]
        self.assertEqual([], wrong)


class LeasePolicyTest(PolicyTestMixin, base.ServiceTestCase):
    """Every lease rule under the default policy, for admin, member and
    reader of the owning project and of another project."""

    def setUp(self):
        super().setUp()
        self.lease = self.create_lease(IDENTITIES['member of owner'])
        self.path = '/v1/leases/%s' % self.lease['id']

    def test_get_one(self):
        expected = {
            'admin of owner': (200, None),
            'member of owner': (200, None),
            'reader of owner': (200, None),
            'no role in owner': denied('get'),
            'admin of other': (200, None),
            'member of other': not_found(self.lease['id']),
            'reader of other': not_found(self.lease['id']),
        }
        actual = {who: self.outcome(self.request('GET', self.path,
                                                 headers=headers))
                  for who, headers in IDENTITIES.items()}
        self.assertNoMismatch(expected, actual)

    def test_list(self):
        other = self.create_lease(IDENTITIES['member of other'])
        expected = {
            'admin of owner': {self.lease['id'], other['id']},
            'member of owner': {self.lease['id']},
            'reader of owner': {self.lease['id']},
            'admin of other': {self.lease['id'], other['id']},
            'member of other': {other['id']},
            'reader of other': {other['id']},
        }
        mine = {self.lease['id'], other['id']}
        actual = {who: self.listed_ids(IDENTITIES[who]) & mine
                  for who in expected}
        self.assertNoMismatch(expected, actual)
        nobody = self.request('GET', '/v1/leases',
                              headers=IDENTITIES['no role in owner'])
        self.assertEqual(denied('get'), self.outcome(nobody))

    def test_create(self):
        expected = {
            'admin of owner': (201, None),
            'member of owner': (201, None),
            'reader of owner': denied('post'),
            'no role in owner': denied('post'),
            'admin of other': (201, None),
            'member of other': (201, None),
            'reader of other': denied('post'),
        }
        before = self.listed_ids(base.NOAUTH_ADMIN)
        actual = {}
        created = 0
        for who, headers in IDENTITIES.items():
            response = self.request('POST', '/v1/leases',
                                    test_leases.lease_body(), headers=headers)
            actual[who] = self.outcome(response)
            if response.status_code == 201:
                created += 1
                self.assertEqual(headers['X-Project-Id'],
                                 response.json()['lease']['project_id'])
        self.assertNoMismatch(expected, actual)
        after = self.listed_ids(base.NOAUTH_ADMIN)
        self.assertEqual(created, len(after - before))

    def test_update(self):
        expected = {
            'admin of owner': (200, None),
            'member of owner': (200, None),
            'reader of owner': denied('put'),
            'no role in owner': denied('get'),
            'admin of other': (200, None),
            'member of other': not_found(self.lease['id']),
            'reader of other': not_found(self.lease['id']),
        }
        actual = {}
        for who, headers in IDENTITIES.items():
            response = self.request('PUT', self.path, {'name': who},
                                    headers=headers)
            actual[who] = self.outcome(response)
            stored = self.request('GET', self.path).json()['lease']['name']
            # Only an allowed update renames the lease.
            self.assertEqual(response.status_code == 200, stored == who, who)
        self.assertNoMismatch(expected, actual)

    def test_delete(self):
        expected = {
            'admin of owner': (204, None),
            'member of owner': (204, None),
            'reader of owner': denied('delete'),
            'no role in owner': denied('get'),
            'admin of other': (204, None),
        }
        actual = {}
        for who in expected:
            lease = self.create_lease(IDENTITIES['member of owner'])
            path = '/v1/leases/%s' % lease['id']
            response = self.request('DELETE', path, headers=IDENTITIES[who])
            actual[who] = self.outcome(response)
            still_there = self.request('GET', path).status_code == 200
            self.assertEqual(response.status_code != 204, still_there, who)
        for who in ('member of other', 'reader of other'):
            expected[who] = not_found(self.lease['id'])
            actual[who] = self.outcome(self.request(
                'DELETE', self.path, headers=IDENTITIES[who]))
        self.assertNoMismatch(expected, actual)
        self.assertEqual(200, self.request('GET', self.path).status_code)


class HostPolicyTest(PolicyTestMixin, test_hosts.HostsTestCase):
    """Every host rule under the default policy: admins only, whatever
    their project; a refused write changes nothing."""

    ADMINS = ('admin of owner', 'admin of other')

    def setUp(self):
        super().setUp()
        self.host = self.enroll(capability='before')
        self.path = '/v1/os-hosts/%s' % self.host['id']

    def expected(self, rule, allowed_status):
        return {who: (allowed_status, None) if who in self.ADMINS
                else denied(rule, 'oshosts') for who in IDENTITIES}

    def outcomes(self, method, path, body=None, after_each=None):
        """Each identity's outcome; ``body`` may be a function of the
        identity, ``after_each(who, status)`` checks the stored data."""
        actual = {}
        for who, headers in IDENTITIES.items():
            sent = body(who) if callable(body) else body
            actual[who] = self.outcome(self.request(method, path, sent,
                                                    headers=headers))
            if after_each is not None:
                after_each(who, actual[who][0])
        return actual

    def test_reads(self):
        for rule, path in (
                ('get', '/v1/os-hosts'), ('get', self.path),
                ('get_allocations', '/v1/os-hosts/allocations'),
                ('get_allocations', self.path + '/allocation'),
                ('get_resource_properties', '/v1/os-hosts/properties')):
            self.assertNoMismatch(self.expected(rule, 200),
                                  self.outcomes('GET', path))

    def test_post(self):
        names = {who: 'host-%s-%d' % (self.suite, index)
                 for index, who in enumerate(IDENTITIES)}

        def enrolled_only_if_allowed(who, status):
            listed = {h['hypervisor_hostname'] for h in self.listed_hosts()}
            self.assertEqual(status == 201, names[who] in listed, who)

        self.assertNoMismatch(self.expected('post', 201), self.outcomes(
            'POST', '/v1/os-hosts',
            lambda who: {'name': names[who], 'vcpus': 1, 'memory_mb': 1,
                         'local_gb': 1},
            enrolled_only_if_allowed))

    def test_put(self):
        def changed_only_if_allowed(who, status):
            stored = self.request('GET', self.path).json()['host']
            self.assertEqual(status == 200,
                             stored['capability'] == 'changed', who)
            self.request('PUT', self.path, {'capability': 'before'})

        self.assertNoMismatch(self.expected('put', 200), self.outcomes(
            'PUT', self.path, {'capability': 'changed'},
            changed_only_if_allowed))

    def test_delete(self):
        actual = {}
        for who, headers in IDENTITIES.items():
            host = self.enroll()
            path = '/v1/os-hosts/%s' % host['id']
            actual[who] = self.outcome(self.request('DELETE', path,
                                                    headers=headers))
            still_there = self.request('GET', path).status_code == 200
            self.assertEqual(actual[who][0] != 204, still_there, who)
        self.assertNoMismatch(self.expected('delete', 204), actual)

    def test_update_resource_properties(self):
        path = '/v1/os-hosts/properties/capability'

        def private_only_if_allowed(who, status):
            self.assertEqual(status == 200, self.is_private('capability'),
                             who)
            self.request('PATCH', path, {'private': False})

        self.assertNoMismatch(
            self.expected('update_resource_properties', 200),
            self.outcomes('PATCH', path, {'private': True},
                          private_only_if_allowed))

    def listed_hosts(self):
        return self.request('GET', '/v1/os-hosts').json()['hosts']

    def is_private(self, name):
        properties = self.request(
            'GET', '/v1/os-hosts/properties?detail=1&all=1').json()[
                'resource_properties']
        return [p['private'] for p in properties if p['property'] == name][0]


class PolicyFileTest(PolicyTestMixin, base.ServiceTestCase):
    """``[oslo_policy] policy_file`` overrides the defaults, and the
    running service notices when the file changes."""

    BASE_POLICY = '"admin": "role:cloud_admin"\n'

    @classmethod
    def setUpClass(cls):
        cls.policy_dir = tempfile.mkdtemp()
        cls.policy_path = os.path.join(cls.policy_dir, 'policy.yaml')
        cls.write_policy(cls.BASE_POLICY)
        cls.config = {'oslo_policy': {'policy_file': cls.policy_path}}
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.policy_dir)
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.policy_dir)

    @classmethod
    def write_policy(cls, text):
        with open(cls.policy_path, 'w') as policy:
            policy.write(text)
        # oslo.policy re-reads the file when its mtime changes; make the
        # change visible even on file systems with coarse timestamps.
        stamp = time.time() + getattr(cls, '_writes', 0) + 1
        cls._writes = getattr(cls, '_writes', 0) + 1
        os.utime(cls.policy_path, (stamp, stamp))

    def test_redefined_admin_rule_decides_who_sees_all_projects(self):
        lease = self.create_lease(base.member_of(OWNER))
        path = '/v1/leases/%s' % lease['id']
        role_admin = base.member_of(OTHER, 'old-admin',
                                    roles='admin,member,reader')
        cloud_admin = base.member_of(OTHER, 'new-admin', roles='cloud_admin')
        self.assertEqual(not_found(lease['id']), self.outcome(
            self.request('GET', path, headers=role_admin)))
        self.assertNotIn(lease['id'], self.listed_ids(role_admin))
        self.assertEqual((200, None), self.outcome(
            self.request('GET', path, headers=cloud_admin)))
        self.assertIn(lease['id'], self.listed_ids(cloud_admin))

    def test_denied_post(self):
        self.addCleanup(self.write_policy, self.BASE_POLICY)
        self.write_policy(self.BASE_POLICY + '"blazar:leases:post": "!"\n')
        before = self.listed_ids(base.member_of(OTHER, roles='cloud_admin'))
        for headers in (base.member_of(OWNER),
                        base.member_of(OWNER, roles='cloud_admin'),
                        base.NOAUTH_ADMIN):
            response = self.request('POST', '/v1/leases',
                                    test_leases.lease_body(),
                                    headers=headers)
            self.assertEqual(denied('post'), self.outcome(response))
        self.assertEqual(before, self.listed_ids(
            base.member_of(OTHER, roles='cloud_admin')))
        self.write_policy(self.BASE_POLICY)
        self.create_lease(base.member_of(OWNER))


class PostgreSQLSplitLeasePolicyTest(LeasePolicyTest):
    """The admin decision travels from blazar-api to blazar-manager."""

    backend = 'postgresql'
    topology = 'split'

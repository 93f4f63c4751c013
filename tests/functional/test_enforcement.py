"""Usage enforcement through the real API, with a real approval service:
an HTTP server in a thread of the test, answering as it is told."""

import http.server
import json
import os
import subprocess
import sys
import threading
import time

import fixtures
import testtools

from tests import fixtures as blazar_fixtures
from tests.functional import base
from tests.functional import test_leases

GENERIC_DENIAL = 'External service enforcement filter denied the request.'
TOKEN = 'enforcement-secret'
DAY = 86400


def too_long(seconds, limit=DAY):
    return ('Lease duration of %d seconds must be less than or equal to the '
            'maximum lease duration of %d seconds.' % (seconds, limit))


class ApprovalService:
    """Records every POST; answers by the lease name's first word:
    ``deny`` -> 403 with a message, ``mute`` -> 403 without one,
    ``broken`` -> 500, ``flaky`` -> 503 to the first on-end of the lease,
    anything else -> 204."""

    ANSWERS = {'deny': (403, {'message': 'Over the quota of project'}),
               'mute': (403, {'reason': 'no message key'}),
               'broken': (500, {'message': 'not to be shown'})}

    def __init__(self):
        self.received = []
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers['Content-Length'])
                body = json.loads(self.rfile.read(length))
                service.received.append((self.path, dict(self.headers),
                                         body))
                status, answer = service.answer(self.path, body)
                self.send_response(status)
                if answer is None:
                    self.end_headers()
                    return
                data = json.dumps(answer).encode()
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.url = 'http://127.0.0.1:%d/blazar' % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def answer(self, path, body):
        name = body['lease']['name']
        if (name.startswith('flaky') and path.endswith('/on-end') and
                len(self.posts_to('on-end', name)) == 1):
            return 503, None
        return self.ANSWERS.get(name.split('-')[0], (204, None))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def posts_to(self, hook, lease_name=None):
        return [body for path, _headers, body in self.received
                if path == '/blazar/' + hook and
                (lease_name is None or body['lease']['name'] == lease_name)]


class EnforcementTestMixin:

    def create(self, name, headers=None, **dates):
        return self.request('POST', '/v1/leases',
                            test_leases.lease_body(name=name, **dates),
                            headers=headers or base.member_of('p-limited'))

    def lease_names(self):
        leases = self.request('GET', '/v1/leases').json()['leases']
        return sorted(lease['name'] for lease in leases)


class ExternalServiceTest(EnforcementTestMixin, base.ServiceTestCase):
    """Both filters enabled; the duration is checked first."""

    @classmethod
    def setUpClass(cls):
        cls.approver = ApprovalService()
        cls.config = {'enforcement': {
            'enabled_filters': 'MaxLeaseDurationFilter,ExternalServiceFilter',
            'max_lease_duration': DAY,
            'max_lease_duration_exempt_project_ids': 'p-exempt',
            'external_service_base_endpoint': cls.approver.url,
            'external_service_token': TOKEN}}
        try:
            super().setUpClass()
        except BaseException:
            cls.approver.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.approver.stop()

    def test_allowed_create_shows_the_service_lease_and_owner(self):
        response = self.create('fine-create')
        self.assertEqual(201, response.status_code, response.text)
        lease = response.json()['lease']
        path, headers, body = [r for r in self.approver.received
                               if r[2]['lease']['name'] == 'fine-create'][0]
        self.assertEqual('/blazar/check-create', path)
        self.assertEqual(TOKEN, headers['X-Auth-Token'])
        self.assertEqual('application/json', headers['Content-Type'])
        self.assertEqual({'user_id': 'user-of-p-limited',
                          'project_id': 'p-limited', 'auth_url': None,
                          'region_name': None}, body['context'])
        self.assertEqual(lease['start_date'], body['lease']['start_date'])
        self.assertEqual(lease['end_date'], body['lease']['end_date'])
        self.assertEqual([], body['lease']['reservations'])

    def test_denial_with_message_creates_nothing(self):
        before = self.lease_names()
        response = self.create('deny-create')
        self.assertError(response, 400, 'Over the quota of project')
        self.assertEqual(before, self.lease_names())

    def test_malformed_or_failed_answers_deny_generically(self):
        before = self.lease_names()
        for name in ('mute-create', 'broken-create'):
            self.assertError(self.create(name), 400, GENERIC_DENIAL)
            self.assertEqual(1, len(self.approver.posts_to('check-create',
                                                           name)))
        self.assertEqual(before, self.lease_names())

    def test_update_is_checked_with_current_and_new_lease(self):
        lease = self.create('fine-update').json()['lease']
        path = '/v1/leases/%s' % lease['id']
        headers = base.member_of('p-limited')
        new_end = test_leases.in_minutes(180)
        denied = self.request('PUT', path, {'name': 'deny-update',
                                            'end_date': new_end},
                              headers=headers)
        self.assertError(denied, 400, 'Over the quota of project')
        stored = self.request('GET', path).json()['lease']
        self.assertEqual(('fine-update', lease['end_date']),
                         (stored['name'], stored['end_date']))
        moved = self.request('PUT', path, {'end_date': new_end},
                             headers=headers)
        self.assertEqual(200, moved.status_code, moved.text)
        body = self.approver.posts_to('check-update', 'fine-update')[-1]
        self.assertEqual(lease['end_date'], body['current_lease']['end_date'])
        self.assertEqual(moved.json()['lease']['end_date'],
                         body['lease']['end_date'])
        self.assertEqual('p-limited', body['context']['project_id'])

    def test_rename_alone_asks_nobody(self):
        lease = self.create('fine-rename').json()['lease']
        response = self.request('PUT', '/v1/leases/%s' % lease['id'],
                                {'name': 'deny-renamed'})
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual([], self.approver.posts_to('check-update',
                                                    'deny-renamed'))

    def test_delete_before_the_end_is_told(self):
        lease = self.create('fine-delete').json()['lease']
        response = self.request('DELETE', '/v1/leases/%s' % lease['id'])
        self.assertEqual(204, response.status_code, response.text)
        ended, = self.approver.posts_to('on-end', 'fine-delete')
        self.assertEqual(lease['id'], ended['lease']['id'])

    def test_too_long_is_403_on_create_and_400_on_update(self):
        before = self.lease_names()
        response = self.create('fine-long', start_date='2031-01-01 00:00',
                               end_date='2031-01-03 00:00')
        self.assertError(response, 403, too_long(2 * DAY))
        self.assertEqual([], self.approver.posts_to('check-create',
                                                    'fine-long'))
        self.assertEqual(before, self.lease_names())
        lease = self.create('fine-day', start_date='2031-01-01 00:00',
                            end_date='2031-01-02 00:00').json()['lease']
        path = '/v1/leases/%s' % lease['id']
        longer = self.request('PUT', path, {'end_date': '2031-01-02 00:01'},
                              headers=base.member_of('p-limited'))
        self.assertError(longer, 400, too_long(DAY + 60))
        self.assertEqual(lease['end_date'], self.request('GET', path).json()[
            'lease']['end_date'])

    def test_exempt_project_may_lease_longer(self):
        response = self.create('fine-exempt', base.member_of('p-exempt'),
                               start_date='2031-01-01 00:00',
                               end_date='2031-02-01 00:00')
        self.assertEqual(201, response.status_code, response.text)


class EndOfLeaseTest(EnforcementTestMixin, base.ServiceTestCase):
    """The end_lease event tells the service, again until it hears."""

    @classmethod
    def setUpClass(cls):
        cls.approver = ApprovalService()
        cls.config = {
            'manager': {'event_retry_interval': 0.5},
            'enforcement': {
                'enabled_filters': 'ExternalServiceFilter',
                'external_service_base_endpoint': cls.approver.url}}
        try:
            super().setUpClass()
        except BaseException:
            cls.approver.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.approver.stop()

    def wait_for_end(self, lease_id, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lease = self.request('GET', '/v1/leases/%s' % lease_id).json()
            if lease['lease']['status'] == 'TERMINATED':
                return
            time.sleep(0.2)
        self.fail('lease %s did not end' % lease_id)

    def test_end_is_delivered_at_least_once(self):
        lease = self.create('flaky-end',
                            start_date=test_leases.in_seconds(1),
                            end_date=test_leases.in_seconds(3)).json()[
                                'lease']
        self.wait_for_end(lease['id'])
        deliveries = self.approver.posts_to('on-end', 'flaky-end')
        # The first was answered 503: the event was retried.
        self.assertEqual(2, len(deliveries))
        self.assertEqual({lease['id']},
                         {body['lease']['id'] for body in deliveries})


class UnreachableServiceDeniesTest(EnforcementTestMixin,
                                   base.ServiceTestCase):
    """Nothing listens at the endpoint; the default is to refuse."""

    config = {'enforcement': {
        'enabled_filters': 'ExternalServiceFilter',
        'external_service_base_endpoint':
            'http://127.0.0.1:%d/' % blazar_fixtures.free_port(),
        'external_service_timeout': 2}}

    def test_unreachable_service_refuses(self):
        before = self.lease_names()
        self.assertError(self.create('anything'), 400, GENERIC_DENIAL)
        self.assertEqual(before, self.lease_names())


class UnreachableServiceAllowsTest(EnforcementTestMixin,
                                   base.ServiceTestCase):

    config = {'enforcement': {
        'enabled_filters': 'ExternalServiceFilter',
        'external_service_check_create_endpoint':
            'http://127.0.0.1:%d/create' % blazar_fixtures.free_port(),
        'external_service_unreachable': 'allow',
        'external_service_timeout': 2}}

    def test_unreachable_service_lets_leases_through(self):
        response = self.create('anything')
        self.assertEqual(201, response.status_code, response.text)
        # Without check-update and on-end endpoints those hooks are off.
        lease = response.json()['lease']
        path = '/v1/leases/%s' % lease['id']
        moved = self.request('PUT', path,
                             {'end_date': test_leases.in_minutes(200)})
        self.assertEqual(200, moved.status_code, moved.text)
        self.assertEqual(204, self.request('DELETE', path).status_code)


class MisconfigurationTest(testtools.TestCase):
    """Options that cannot work stop the manager at start, saying why."""

    CASES = [
        ({'enabled_filters': 'NoSuchFilter'},
         'Unknown filter NoSuchFilter in [enforcement] enabled_filters'),
        ({'enabled_filters': 'ExternalServiceFilter'},
         'ExternalServiceFilter is enabled but [enforcement] '
         'external_service_base_endpoint is not set'),
        ({'enabled_filters': 'ExternalServiceFilter',
          'external_service_base_endpoint': 'ftp://approver.example'},
         "scheme was required to be one of ['http', 'https']"),
        ({'enabled_filters': 'ExternalServiceFilter',
          'external_service_on_end_endpoint': 'http:///on-end'},
         'host was required but missing'),
    ]

    def test_blazar_refuses_to_start(self):
        for options, message in self.CASES:
            directory = self.useFixture(fixtures.TempDir()).path
            config = blazar_fixtures.write_config(directory, {
                'DEFAULT': {'transport_url': 'fake:/'},
                'database': {'connection':
                             'sqlite:///%s/blazar.sqlite' % directory},
                'api': {'port': blazar_fixtures.free_port()},
                'enforcement': options})
            command = os.path.join(os.path.dirname(sys.executable),
                                   'blazar-all')
            result = subprocess.run([command, '--config-file', config],
                                    capture_output=True, text=True,
                                    timeout=60, cwd=directory)
            self.assertNotEqual(0, result.returncode, options)
            self.assertIn(message, result.stdout + result.stderr)

"""Leases through the real API: HTTP behaviour and python-blazarclient."""

import datetime
import time

from blazarclient import exception as client_exception

from tests.functional import base

DATE = '%Y-%m-%d %H:%M'


def in_minutes(minutes):
    return (datetime.datetime.utcnow() +
            datetime.timedelta(minutes=minutes)).strftime(DATE)


def in_seconds(seconds):
    return (datetime.datetime.utcnow() +
            datetime.timedelta(seconds=seconds)).strftime('%Y-%m-%dT%H:%M:%SZ')


def lease_body(**overrides):
    body = {'name': 'lease-1', 'start_date': in_minutes(60),
            'end_date': in_minutes(120), 'reservations': [], 'events': [],
            'before_end_date': None}
    body.update(overrides)
    return body


class LeaseApiTest(base.ServiceTestCase):
    """Wire behaviour of /v1/leases on the single-process service."""

    def create(self, headers=None, **overrides):
        response = self.request('POST', '/v1/leases', lease_body(**overrides),
                                headers=headers)
        self.assertEqual(201, response.status_code, response.text)
        return response.json()['lease']

    def test_create_returns_lease_with_events(self):
        lease = self.create(start_date='2030-01-01 10:00',
                            end_date='2030-01-02 10:00')
        self.assertEqual('PENDING', lease['status'])
        self.assertEqual('2030-01-01T10:00:00.000000', lease['start_date'])
        self.assertEqual('2030-01-02T10:00:00.000000', lease['end_date'])
        events = {e['event_type']: e for e in lease['events']}
        self.assertEqual('2030-01-02T09:00:00.000000',
                         events['before_end_lease']['time'])
        self.assertEqual({'UNDONE'}, {e['status'] for e in events.values()})
        self.assertEqual('admin', lease['project_id'])
        # noauth: no Keystone token, so no trust.
        self.assertIsNone(lease['trust_id'])

    def test_every_view_orders_events_by_time_then_type(self):
        # Shorter than the default hour before the end: before_end_lease
        # falls on the start, and the type breaks the tie.
        lease = self.create(start_date='2030-03-01 10:00',
                            end_date='2030-03-01 10:30')
        path = '/v1/leases/%s' % lease['id']
        updated = self.request('PUT', path, {'name': 'renamed'})
        listed = next(
            shown for shown in self.request('GET', '/v1/leases').json()[
                'leases'] if shown['id'] == lease['id'])
        views = [lease, self.request('GET', path).json()['lease'],
                 updated.json()['lease'], listed]
        expected = [('start_lease', '2030-03-01T10:00:00.000000'),
                    ('before_end_lease', '2030-03-01T10:00:00.000000'),
                    ('end_lease', '2030-03-01T10:30:00.000000')]
        for view in views:
            self.assertEqual(expected, [(e['event_type'], e['time'])
                                        for e in view['events']])

    def test_iso_dates_with_offset_are_stored_as_utc(self):
        lease = self.create(start_date='2030-01-01T12:00:30+02:00',
                            end_date='2030-01-01T11:00:00.250000Z')
        self.assertEqual('2030-01-01T10:00:30.000000', lease['start_date'])
        self.assertEqual('2030-01-01T11:00:00.250000', lease['end_date'])

    def test_show_update_delete(self):
        lease = self.create()
        path = '/v1/leases/%s' % lease['id']
        self.assertEqual(lease['id'],
                         self.request('GET', path).json()['lease']['id'])
        renamed = self.request('PUT', path, {'name': 'renamed'})
        self.assertEqual('renamed', renamed.json()['lease']['name'])
        new_end = '2031-05-05 05:05'
        moved = self.request('PUT', path, {'end_date': new_end}).json()
        self.assertEqual('2031-05-05T05:05:00.000000',
                         moved['lease']['end_date'])
        ends = [e['time'] for e in moved['lease']['events']
                if e['event_type'] == 'end_lease']
        self.assertEqual(['2031-05-05T05:05:00.000000'], ends)
        self.assertNoContent(self.request('DELETE', path))
        self.assertError(self.request('GET', path), 404,
                         "Object with {'lease_id': '%s'} not found"
                         % lease['id'])

    def test_json_suffix_and_version_headers(self):
        response = self.request('GET', '/v1/leases.json')
        self.assertEqual(200, response.status_code)
        self.assertIn('leases', response.json())
        self.assertEqual('reservation 1.0',
                         response.headers['OpenStack-API-Version'])
        self.assertEqual('OpenStack-API-Version', response.headers['Vary'])
        self.assertTrue(response.headers['x-openstack-request-id']
                        .startswith('req-'))

    def test_version_discovery(self):
        root = self.request('GET', '/')
        self.assertEqual(300, root.status_code)
        version, = root.json()['versions']
        self.assertEqual('v1.0', version['id'])
        self.assertEqual('CURRENT', version['status'])
        self.assertEqual(self.service.url + '/v1',
                         version['links'][0]['href'])
        v1 = self.request('GET', '/v1')
        self.assertEqual(200, v1.status_code)
        self.assertEqual('v1.0', v1.json()['version']['id'])

    def test_microversion_errors(self):
        bad = self.request('GET', '/v1/leases', headers=dict(
            base.NOAUTH_ADMIN, **{'OpenStack-API-Version': 'reservation 1.a'}))
        self.assertEqual(400, bad.status_code)
        self.assertEqual({'error': 400, 'error_message': (
            'API Version String 1.a is of invalid format. Must be of format '
            'MajorNum.MinorNum.')}, bad.json())
        unsupported = self.request('GET', '/v1/leases', headers=dict(
            base.NOAUTH_ADMIN, **{'OpenStack-API-Version': 'reservation 1.2'}))
        self.assertEqual(406, unsupported.status_code)
        self.assertEqual({'error': 406, 'error_message': (
            'Version 1.2 is not supported by the API. Minimum is 1.0 and '
            'maximum is 1.0.')}, unsupported.json())
        latest = self.request('GET', '/v1/leases', headers=dict(
            base.NOAUTH_ADMIN,
            **{'OpenStack-API-Version': 'reservation latest'}))
        self.assertEqual('reservation 1.0',
                         latest.headers['OpenStack-API-Version'])

    def test_unknown_url_is_json_404(self):
        response = self.request('GET', '/v1/nothing-here')
        self.assertEqual(404, response.status_code)
        self.assertEqual(404, response.json()['error'])

    def test_validation_messages(self):
        cases = [
            ({'name': 'x'}, 400,
             'Missing parameter start_date, end_date'),
            (lease_body(start_date='2030-01-01 10:00:00:00'), 400,
             '2030-01-01 10:00:00:00 is an invalid date. Required format: '
             '%Y-%m-%d %H:%M'),
            (lease_body(start_date='2001-01-01 10:00'), 400,
             'Start date must be later than current date'),
            (lease_body(start_date='2030-01-01 10:00',
                        end_date='2030-01-01 10:00'), 400,
             'End date must be later than start date.'),
            (lease_body(start_date='2030-01-01 10:00',
                        end_date='2030-01-01 12:00',
                        before_end_date='2030-01-01 13:00'), 403,
             'Datetime is out of lease limits'),
            (lease_body(reservations=[{'min': 1}]), 400,
             'Missing parameter resource_type'),
            (lease_body(reservations=[{'resource_type': 'physical:cow'}]),
             400, 'The physical:cow resource type is not supported'),
            (lease_body(project_id='other'), 400,
             'Field(s) project_id cannot be set through the API'),
            (lease_body(colour='blue'), 400, 'Unknown field(s): colour'),
            (lease_body(events=[{'event_type': 'start_lease'}]), 400,
             'Field(s) events cannot be set through the API'),
            (lease_body(name='n' * 81), 400,
             'name must be at most 80 characters'),
            (lease_body(name=5), 400, None),
            ([1, 2], 400, 'The request body must be a JSON object'),
        ]
        for body, status, message in cases:
            response = self.request('POST', '/v1/leases', body)
            self.assertError(response, status, message)
            self.assertEqual(status, response.json()['error_code'])
            self.assertEqual(status, response.json()['error_name'])

    def test_malformed_json_is_400_and_changes_nothing(self):
        before = self.request('GET', '/v1/leases').json()['leases']
        for data in (b'{"name": ', b'\xff\xfe', b'[' * 100000):
            response = self.request('POST', '/v1/leases', data=data)
            self.assertError(response, 400)
        self.assertEqual(before, self.request('GET', '/v1/leases').json()[
            'leases'])

    def test_oversized_body_is_413(self):
        response = self.request('POST', '/v1/leases',
                                lease_body(name='x' * 200000))
        self.assertError(response, 413)

    def test_projects_are_isolated(self):
        mine = self.create(headers=base.member_of('p-one'))
        other = base.member_of('p-two')
        path = '/v1/leases/%s' % mine['id']
        self.assertError(self.request('GET', path, headers=other), 404)
        self.assertError(self.request('PUT', path, {'name': 'x'},
                                      headers=other), 404)
        self.assertError(self.request('DELETE', path, headers=other), 404)
        listed = self.request('GET', '/v1/leases', headers=other).json()
        self.assertNotIn(mine['id'], base.ids(listed['leases']))
        own = self.request('GET', '/v1/leases',
                           headers=base.member_of('p-one')).json()
        self.assertEqual([mine['id']], base.ids(own['leases']))
        admin = self.request('GET', '/v1/leases').json()
        self.assertIn(mine['id'], base.ids(admin['leases']))

    def test_reader_cannot_create(self):
        response = self.request('POST', '/v1/leases', lease_body(),
                                headers=base.member_of('p-r', roles='reader'))
        self.assertError(response, 403, "Policy doesn't allow "
                         "blazar:leases:post to be performed")

    def test_update_rules(self):
        lease = self.create()
        path = '/v1/leases/%s' % lease['id']
        self.assertError(
            self.request('PUT', path, {'end_date': '2001-01-01 00:00'}), 400,
            'End date must be later than current and start date')
        self.assertError(
            self.request('PUT', path, {'reservations': [{'id': 'nope'}]}),
            400, 'Please enter valid reservation IDs. Invalid reservation '
                 'IDs are: nope')
        self.assertError(
            self.request('PUT', path, {'reservations': [{'min': 1}]}), 400,
            'Missing parameter reservation ID')
        self.assertError(self.request('PUT', path, {'status': 'ACTIVE'}),
                         400, 'Field(s) status cannot be set through the API')

    def test_before_end_webhook_is_checked_shown_and_changed(self):
        hook = 'https://alerts.example.org:8443/blazar?team=a'
        lease = self.create(before_end_webhook=hook)
        self.assertEqual(hook, lease['before_end_webhook'])
        path = '/v1/leases/%s' % lease['id']
        self.assertEqual(hook, self.request('GET', path).json()['lease'][
            'before_end_webhook'])
        message = ('before_end_webhook must be an http or https URL of at '
                   'most 2048 characters')
        for bad in ('ftp://example.org/x', 'example.org/x', 'http://',
                    'http://exa mple.org/', 'http://x/' + 'y' * 2048, 5):
            self.assertError(self.request(
                'POST', '/v1/leases', lease_body(before_end_webhook=bad)),
                400, message if bad != 5 else None)
            self.assertError(self.request(
                'PUT', path, {'before_end_webhook': bad}),
                400, message if bad != 5 else None)
        self.assertEqual(hook, self.request('GET', path).json()['lease'][
            'before_end_webhook'])
        moved = 'http://127.0.0.1:9/warn'
        self.assertEqual(moved, self.request(
            'PUT', path, {'before_end_webhook': moved}).json()['lease'][
            'before_end_webhook'])
        self.assertIsNone(self.request(
            'PUT', path, {'before_end_webhook': None}).json()['lease'][
            'before_end_webhook'])
        self.assertIsNone(self.create()['before_end_webhook'])

    def test_move_a_lease_that_has_not_started(self):
        lease = self.create(start_date='2030-01-01 10:00',
                            end_date='2030-01-01 14:00')
        path = '/v1/leases/%s' % lease['id']
        moved = self.request('PUT', path, {
            'start_date': '2030-02-01 10:00',
            'end_date': '2030-02-01T16:30:15Z'}).json()['lease']
        times = {e['event_type']: e['time'] for e in moved['events']}
        self.assertEqual({
            'start_lease': '2030-02-01T10:00:00.000000',
            'end_lease': '2030-02-01T16:30:15.000000',
            # keeps its distance to the end (one hour)
            'before_end_lease': '2030-02-01T15:30:15.000000'}, times)
        explicit = self.request('PUT', path, {
            'before_end_date': '2030-02-01 12:00'}).json()['lease']
        self.assertIn('2030-02-01T12:00:00.000000',
                      [e['time'] for e in explicit['events']])
        self.assertError(
            self.request('PUT', path, {'before_end_date': '2030-03-01 12:00'}),
            403, 'Datetime is out of lease limits')
        self.assertError(
            self.request('PUT', path, {'start_date': '2001-01-01 10:00'}),
            400, 'Start date must be later than current date')

    def test_bad_date_in_update(self):
        lease = self.create()
        self.assertError(
            self.request('PUT', '/v1/leases/%s' % lease['id'],
                         {'end_date': 'soon'}), 400,
            'soon is an invalid date. Required format: %Y-%m-%d %H:%M')


class LeaseLifecycleTest(base.ServiceTestCase):
    """A lease starting seconds from now runs through its whole life."""

    def wait_for_status(self, client, lease_id, status, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lease = client.lease.get(lease_id)
            if lease['status'] == status:
                return lease
            time.sleep(0.2)
        self.fail('lease %s never reached %s (is %s)'
                  % (lease_id, status, lease['status']))

    def test_lease_life_with_blazarclient(self):
        client = self.client()
        lease = client.lease.create(
            name='short', start=in_seconds(2), end=in_seconds(5),
            reservations=[], events=[], before_end=None)
        self.assertEqual('PENDING', lease['status'])
        self.assertIn(lease['id'], base.ids(client.lease.list()))
        active = self.wait_for_status(client, lease['id'], 'ACTIVE')
        start = [e for e in active['events']
                 if e['event_type'] == 'start_lease'][0]
        self.assertEqual('DONE', start['status'])
        ended = self.wait_for_status(client, lease['id'], 'TERMINATED')
        self.assertEqual({'DONE'}, {e['status'] for e in ended['events']})
        client.lease.update(lease['id'], name='renamed-after-end')
        self.assertEqual('renamed-after-end',
                         client.lease.get(lease['id'])['name'])
        client.lease.delete(lease['id'])
        error = self.assertRaises(client_exception.BlazarClientException,
                                  client.lease.get, lease['id'])
        self.assertEqual(404, error.kwargs['code'])

    def test_started_lease_rules_and_delete_while_active(self):
        client = self.client()
        lease = client.lease.create(
            name='running', start=in_seconds(1), end=in_minutes(30),
            reservations=[], events=[], before_end=None)
        self.wait_for_status(client, lease['id'], 'ACTIVE')
        response = self.request('PUT', '/v1/leases/%s' % lease['id'],
                                {'start_date': in_minutes(5)})
        self.assertError(response, 400, 'Cannot modify the start date of '
                         'already started leases')
        extended = client.lease.update(lease['id'], end_date=in_minutes(60))
        self.assertEqual('ACTIVE', extended['status'])
        client.lease.delete(lease['id'])
        self.assertNotIn(lease['id'], base.ids(client.lease.list()))

    def test_client_as_another_project(self):
        client = self.client(base.member_of('p-client'))
        lease = client.lease.create(name='mine', start=in_minutes(30),
                                    end=in_minutes(90), reservations=[],
                                    events=[], before_end=None)
        self.assertEqual('p-client', lease['project_id'])
        self.assertEqual([lease['id']],
                         base.ids(client.lease.list()))


class MariaDBSplitLeaseApiTest(LeaseApiTest):
    """The same API, served by blazar-api and blazar-manager processes
    talking over RabbitMQ, on MariaDB."""

    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitLeaseApiTest(LeaseApiTest):
    backend = 'postgresql'
    topology = 'split'


class MariaDBSplitLeaseLifecycleTest(LeaseLifecycleTest):
    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitLeaseLifecycleTest(LeaseLifecycleTest):
    backend = 'postgresql'
    topology = 'split'

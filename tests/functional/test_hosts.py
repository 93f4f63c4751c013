"""Hosts through the real API: enrollment, host reservations, allocation
views, over HTTP and python-blazarclient, with the static inventory.

The service is shared by the tests of a class, so each test tags the hosts
it enrolls with its own ``suite`` capability and reserves only hosts with
that tag.
"""

import concurrent.futures
import datetime
import json
import time
import uuid

from blazarclient import exception as client_exception
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade

from blazar import context as blazar_context
from blazar.db import engine
from blazar.db import leases as db_leases
from blazar.plugins.hosts import models
from blazar.plugins.hosts import nova_reconcile
from blazar.plugins.hosts import options
from blazar.plugins.hosts import plugin as host_plugin
from tests.functional import base
from tests.functional import probe

DATE = '%Y-%m-%d %H:%M'
HOSTS_CONFIG = {'manager': {'plugins': 'physical.host.plugin'},
                'physical:host': {'inventory': 'static'}}


def in_minutes(minutes):
    return (datetime.datetime.utcnow() +
            datetime.timedelta(minutes=minutes)).strftime(DATE)


def wire(date):
    """A date as the API returns it, from upstream's input form."""
    return datetime.datetime.strptime(date, DATE).strftime(
        '%Y-%m-%dT%H:%M:%S.%f')


def wait_for_managers(service, timeout=60):
    """Until every manager consumes its RPC queue: a call sent to the topic
    before that is lost and only ends at the RPC timeout."""
    deadline = time.monotonic() + timeout
    for manager in getattr(service, 'managers', []):
        while True:
            with open(manager.log_path, errors='replace') as log:
                if 'serving topic' in log.read():
                    break
            if time.monotonic() > deadline:
                raise TimeoutError('manager not serving: %s'
                                   % manager.log_path)
            time.sleep(0.1)


class HostsTestCase(base.ServiceTestCase):

    config = HOSTS_CONFIG

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wait_for_managers(cls.service)

    def setUp(self):
        super().setUp()
        self.suite = uuid.uuid4().hex[:12]

    def enroll(self, status=201, **fields):
        body = {'name': 'host-%s' % uuid.uuid4().hex[:12], 'vcpus': 8,
                'memory_mb': 4096, 'local_gb': 100, 'suite': self.suite}
        body.update(fields)
        response = self.request('POST', '/v1/os-hosts', body)
        self.assertEqual(status, response.status_code, response.text)
        return response.json().get('host')

    def reservation(self, count_min=1, count_max=1, properties=None,
                    **fields):
        mine = ['==', '$suite', self.suite]
        wanted = ['and', mine, properties] if properties else mine
        values = {'resource_type': 'physical:host', 'min': count_min,
                  'max': count_max, 'hypervisor_properties': '',
                  'resource_properties': json.dumps(wanted)}
        values.update(fields)
        return values

    def lease(self, start, end, *reservations, status=201, headers=None):
        body = {'name': 'lease-%s' % uuid.uuid4().hex[:8],
                'start_date': start, 'end_date': end, 'events': [],
                'reservations': list(reservations) or [self.reservation()]}
        response = self.request('POST', '/v1/leases', body, headers=headers)
        self.assertEqual(status, response.status_code, response.text)
        return response.json().get('lease', response.json())

    def hosts_of(self, lease):
        """Ids of the hosts the lease holds, from the allocation view."""
        response = self.request('GET', '/v1/os-hosts/allocations?lease_id=%s'
                                % lease['id'])
        self.assertEqual(200, response.status_code, response.text)
        return {a['resource_id'] for a in response.json()['allocations']
                if a['reservations']}

    def update_lease(self, lease, body, status=200):
        response = self.request('PUT', '/v1/leases/%s' % lease['id'], body)
        self.assertEqual(status, response.status_code, response.text)
        return response.json().get('lease', response.json())

    def wait_for_status(self, lease_id, status, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lease = self.request('GET', '/v1/leases/%s' % lease_id).json()
            if lease['lease']['status'] == status:
                return lease['lease']
            time.sleep(0.2)
        self.fail('lease %s never became %s: %s' % (lease_id, status, lease))


class HostEnrollmentTest(HostsTestCase):

    def test_enroll_show_list_update_delete(self):
        host = self.enroll(vcpus='16', availability_zone='az1', gpu='true',
                           ram=32, hypervisor_type='QEMU')
        self.assertRegex(host['id'], r'^[0-9]+$')
        self.assertEqual(16, host['vcpus'])
        self.assertEqual('az1', host['availability_zone'])
        self.assertEqual('QEMU', host['hypervisor_type'])
        self.assertEqual('true', host['gpu'])
        self.assertEqual('32', host['ram'])
        self.assertTrue(host['reservable'])
        path = '/v1/os-hosts/%s' % host['id']
        self.assertEqual(host, self.request('GET', path).json()['host'])
        self.assertEqual(host, self.request('GET', path + '.json')
                         .json()['host'])
        listed = self.request('GET', '/v1/os-hosts').json()['hosts']
        self.assertIn(host['id'], [h['id'] for h in listed])

        updated = self.request('PUT', path, {'gpu': 'false', 'nic': '25G'})
        self.assertEqual(200, updated.status_code, updated.text)
        self.assertEqual(('false', '25G'), (updated.json()['host']['gpu'],
                                            updated.json()['host']['nic']))
        self.assertNoContent(self.request('DELETE', path))
        self.assertError(self.request('GET', path), 404,
                         "Object with {'host_id': '%s'} not found"
                         % host['id'])
        self.assertError(self.request('DELETE', path), 404)

    def test_enrollment_errors(self):
        response = self.request('POST', '/v1/os-hosts',
                                {'name': 'n', 'vcpus': 1, 'memory_mb': 1,
                                 'local_gb': 1, 'k' * 65: 'v'})
        self.assertError(response, 400, 'Extra capability key too long')
        self.enroll(**{'k' * 64: 'v'})
        self.assertError(
            self.request('POST', '/v1/os-hosts', {'name': 'n', 'vcpus': 1}),
            400, 'Missing parameter memory_mb, local_gb')
        self.assertError(
            self.request('POST', '/v1/os-hosts',
                         {'name': 'n', 'vcpus': 'many', 'memory_mb': 1,
                          'local_gb': 1}),
            400, 'Malformed parameter vcpus')
        self.assertError(self.request('POST', '/v1/os-hosts', {'vcpus': 1}),
                         400, 'Missing parameter name')
        self.assertError(
            self.request('POST', '/v1/os-hosts',
                         {'name': 'n', 'reservable': False}),
            400, 'Field(s) reservable cannot be set through the API')
        self.assertError(
            self.request('POST', '/v1/os-hosts',
                         {'name': 'n', 'vcpus': 1, 'memory_mb': 1,
                          'local_gb': 1, 'nested': {'a': 1}}),
            400, 'Malformed parameter nested')
        host = self.enroll()
        duplicate = self.enroll(status=409, name=host['hypervisor_hostname'])
        self.assertIsNone(duplicate)

    def test_update_errors(self):
        path = '/v1/os-hosts/%s' % self.enroll()['id']
        response = self.request('PUT', path, {})
        self.assertError(response, 400, 'No data to update')
        self.assertError(self.request('PUT', path, {'vcpus': 4}), 400,
                         'Only extra capabilities can be updated, not vcpus')
        self.assertError(self.request('PUT', path, {'x' * 65: '1'}), 400,
                         'Extra capability key too long')
        self.assertError(self.request('PUT', '/v1/os-hosts/999999',
                                      {'a': '1'}),
                         404, "Object with {'host_id': '999999'} not found")
        self.assertError(self.request('GET', '/v1/os-hosts/not-a-number'),
                         404, "Object with {'host_id': 'not-a-number'} "
                              "not found")

    def test_capability_used_by_a_reservation_is_locked(self):
        host = self.enroll(gpu='true')
        self.lease(in_minutes(60), in_minutes(120),
                   self.reservation(properties=['==', '$gpu', 'true']))
        path = '/v1/os-hosts/%s' % host['id']
        self.assertError(self.request('PUT', path, {'gpu': 'false'}), 409)
        self.assertEqual(200, self.request('PUT', path,
                                           {'rack': '4'}).status_code)

    def test_delete_reserved_host_is_refused(self):
        host = self.enroll()
        lease = self.lease(in_minutes(60), in_minutes(120))
        path = '/v1/os-hosts/%s' % host['id']
        self.assertError(self.request('DELETE', path), 409,
                         "Can't delete host %s. The host is reserved."
                         % host['id'])
        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)
        self.assertEqual(204, self.request('DELETE', path).status_code)

    def test_admin_only(self):
        member = base.member_of('project-%s' % self.suite)
        for method, path in (('GET', '/v1/os-hosts'),
                             ('POST', '/v1/os-hosts'),
                             ('GET', '/v1/os-hosts/allocations'),
                             ('GET', '/v1/os-hosts/properties'),
                             ('PATCH', '/v1/os-hosts/properties/gpu')):
            response = self.request(method, path, {}, headers=member)
            self.assertEqual(403, response.status_code, (method, path))

    def test_with_blazarclient(self):
        client = self.client()
        name = 'host-%s' % uuid.uuid4().hex[:12]
        host = client.host.create(name, vcpus='4', memory_mb='2048',
                                  local_gb='20', suite=self.suite)
        self.assertEqual(name, host['hypervisor_hostname'])
        self.assertEqual(host['id'], client.host.get(host['id'])['id'])
        self.assertIn(host['id'], [h['id'] for h in client.host.list()])
        updated = client.host.update(host['id'], {'rack': 'r1'})
        self.assertEqual('r1', updated['rack'])
        allocation = client.allocation.get('os-hosts', host['id'])
        self.assertEqual({'resource_id': host['id'], 'reservations': []},
                         allocation)
        client.host.delete(host['id'])
        error = self.assertRaises(client_exception.BlazarClientException,
                                  client.host.get, host['id'])
        self.assertEqual(404, error.kwargs['code'])


class HostReservationTests:
    """Reserving hosts; run on every backend."""

    def test_reserve_max_then_not_enough(self):
        hosts = {self.enroll()['id'] for _ in range(3)}
        start, end = '2040-01-01 10:00', '2040-01-01 12:00'
        first = self.lease(start, end, self.reservation(1, 2))
        self.assertEqual(2, len(self.hosts_of(first)))
        self.assertLessEqual(self.hosts_of(first), hosts)
        second = self.lease(start, end, self.reservation(1, 5))
        self.assertEqual(hosts - self.hosts_of(first), self.hosts_of(second))
        response = self.request('POST', '/v1/leases', {
            'name': 'late', 'start_date': start, 'end_date': end,
            'reservations': [self.reservation(2, 3)], 'events': []})
        self.assertError(
            response, 409, 'Not enough hosts available: 3 hosts match the '
                           'request, 0 are free from 2040-01-01 10:00 to '
                           '2040-01-01 12:00, at least 2 needed')

    def test_lease_view_shows_the_request(self):
        self.enroll()
        lease = self.lease('2040-02-01 10:00', '2040-02-01 12:00',
                           self.reservation(1, 1, before_end='snapshot'))
        self.assertEqual([], [r for r in lease['reservations']
                              if r['resource_type'] != 'physical:host'])
        reservation = lease['reservations'][0]
        self.assertEqual(1, reservation['min'])
        self.assertEqual(1, reservation['max'])
        self.assertEqual('snapshot', reservation['before_end'])
        self.assertEqual('', reservation['hypervisor_properties'])
        self.assertIn(self.suite, reservation['resource_properties'])
        # Built from what was written, not read back: the same lease.
        self.assertEqual(lease, self.request(
            'GET', '/v1/leases/%s' % lease['id']).json()['lease'])

    def test_reservations_of_one_lease_take_different_hosts(self):
        hosts = {self.enroll()['id'] for _ in range(2)}
        start, end = '2040-02-05 10:00', '2040-02-05 12:00'
        lease = self.lease(start, end, self.reservation(),
                           self.reservation())
        self.assertEqual(hosts, self.hosts_of(lease))
        self.assertEqual(2, len({r['resource_id']
                                 for r in lease['reservations']}))
        self.lease(start, end, self.reservation(), self.reservation(),
                   status=409)

    def test_project_members_reserve_hosts(self):
        host = self.enroll()['id']
        member = base.member_of('project-%s' % self.suite)
        lease = self.lease('2040-02-10 10:00', '2040-02-10 12:00',
                           headers=member)
        self.assertEqual('project-%s' % self.suite, lease['project_id'])
        self.assertEqual({host}, self.hosts_of(lease))
        self.lease('2040-02-10 11:00', '2040-02-10 12:00', status=409,
                   headers=base.member_of('another-%s' % self.suite))

    def test_overlapping_leases_never_share_a_host(self):
        self.enroll()
        self.lease('2040-03-01 10:00', '2040-03-01 12:00')
        for start, end in (('2040-03-01 11:00', '2040-03-01 13:00'),
                           ('2040-03-01 09:00', '2040-03-01 10:01'),
                           ('2040-03-01 10:30', '2040-03-01 11:30'),
                           ('2040-03-01 09:00', '2040-03-01 13:00')):
            self.lease(start, end, status=409)
        before = self.lease('2040-03-01 08:00', '2040-03-01 10:00')
        after = self.lease('2040-03-01 12:00', '2040-03-01 14:00')
        self.assertEqual(self.hosts_of(before), self.hosts_of(after))

    def test_queries_by_capabilities_and_columns(self):
        small = self.enroll(vcpus=4, ram='8', gpu='true',
                            availability_zone='az1')['id']
        medium = self.enroll(vcpus=16, ram='16', availability_zone='az2')['id']
        large = self.enroll(vcpus=32, ram='128', gpu='false',
                            availability_zone='AZ1')['id']
        cases = [
            (['>', '$ram', '10'], {medium, large}),          # not as text
            (['>=', '$ram', 16], {medium, large}),
            (['==', '$availability_zone', 'az1'], {small}),  # case matters
            (['>=', '$vcpus', '16'], {medium, large}),
            (['or', ['==', '$gpu', 'true'], ['>', '$vcpus', 20]],
             {small, large}),
            (['and', ['<', '$vcpus', 20],
              ['or', ['==', '$gpu', None], ['==', '$ram', '8']]],
             {small, medium}),
        ]
        for day, (properties, expected) in enumerate(cases, start=1):
            lease = self.lease('2040-04-%02d 10:00' % day,
                               '2040-04-%02d 12:00' % day,
                               self.reservation(1, 3, properties))
            self.assertEqual(expected, self.hosts_of(lease), properties)

    def test_scoped_capability_keys(self):
        scoped = self.enroll(**{'capabilities:gpu': 'true',
                                'hw.cpu_model': 'Icelake'})['id']
        self.enroll(**{'capabilities:gpu': 'false'})
        lease = self.lease('2040-04-20 10:00', '2040-04-20 12:00',
                           self.reservation(1, 2, [
                               'and', ['==', '$capabilities:gpu', 'true'],
                               ['==', '$hw.cpu_model', 'Icelake']]))
        self.assertEqual({scoped}, self.hosts_of(lease))

    def test_hypervisor_properties(self):
        host = self.enroll(hypervisor_type='ironic')['id']
        self.enroll(hypervisor_type='QEMU')
        lease = self.lease('2040-05-01 10:00', '2040-05-01 12:00',
                           self.reservation(1, 5, hypervisor_properties=(
                               '["=", "$hypervisor_type", "ironic"]')))
        self.assertEqual({host}, self.hosts_of(lease))

    def test_request_errors(self):
        self.enroll()
        start, end = '2040-06-01 10:00', '2040-06-01 12:00'
        cases = [
            (dict(min=''), 'Missing parameter min'),
            (dict(max='many'), 'Malformed parameter max'),
            (dict(min=0), 'Malformed parameter min and max (must be greater '
                          'than or equal to 1)'),
            (dict(min=3, max=2), 'Invalid values for min/max of hosts. Max '
                                 'must be equal to or larger than min.'),
            (dict(before_end='reboot'), 'Malformed parameter before_end'),
            (dict(amount=1),
             'Unknown field(s) of a physical:host reservation: amount'),
            (dict(resource_properties='["==", "$nope", "x"]'),
             'Unknown property nope in resource_properties: no host has a '
             'column or extra capability with that name'),
        ]
        for fields, message in cases:
            error = self.lease(start, end, self.reservation(**fields),
                               status=400)
            self.assertEqual(message, error['error_message'])
        error = self.lease(start, end, self.reservation(
            hypervisor_properties='[">", "vcpus", 2]'), status=400)
        self.assertTrue(error['error_message'].startswith(
            'Malformed requirements'), error)

    def test_update_extend_shorten_move(self):
        self.enroll()
        lease = self.lease('2040-07-01 10:00', '2040-07-01 12:00')
        self.lease('2040-07-01 14:00', '2040-07-01 16:00')
        self.update_lease(lease, {'end_date': '2040-07-01 15:00'}, 409)
        self.update_lease(lease, {'end_date': '2040-07-01 14:00'})
        self.update_lease(lease, {'end_date': '2040-07-01 11:00'})
        # The freed hour can be taken by another lease.
        self.lease('2040-07-01 11:00', '2040-07-01 14:00')
        self.update_lease(lease, {'start_date': '2040-07-01 09:00',
                                  'end_date': '2040-07-01 11:00'})
        self.update_lease(lease, {'start_date': '2040-07-01 16:00',
                                  'end_date': '2040-07-01 17:00'})
        moved = self.request('GET', '/v1/os-hosts/allocations?lease_id=%s'
                             % lease['id']).json()['allocations']
        self.assertEqual([(wire('2040-07-01 16:00'),
                           wire('2040-07-01 17:00'))],
                         [(r['start_date'], r['end_date'])
                          for a in moved for r in a['reservations']])

    def test_update_counts_and_properties(self):
        hosts = [self.enroll(ram=str(n))['id'] for n in (8, 16, 32)]
        lease = self.lease('2040-08-01 10:00', '2040-08-01 12:00',
                           self.reservation(1, 1))
        reservation_id = lease['reservations'][0]['id']
        held = self.hosts_of(lease)
        lease = self.update_lease(lease, {'reservations': [
            {'id': reservation_id, 'min': 2, 'max': 2}]})
        self.assertEqual((2, 2), (lease['reservations'][0]['min'],
                                  lease['reservations'][0]['max']))
        self.assertEqual(2, len(self.hosts_of(lease)))
        self.assertLessEqual(held, self.hosts_of(lease))
        error = self.update_lease(lease, {'reservations': [
            {'id': reservation_id, 'min': 4, 'max': 4}]}, 409)
        self.assertTrue(error['error_message'].startswith(
            'Not enough hosts available: 3 hosts match the request'), error)
        self.assertEqual(2, len(self.hosts_of(lease)))
        error = self.update_lease(lease, {'reservations': [
            {'id': reservation_id, 'min': 3}]}, 400)
        self.assertEqual('Invalid values for min/max of hosts. Max must be '
                         'equal to or larger than min.',
                         error['error_message'])
        mine = json.dumps(['and', ['==', '$suite', self.suite],
                           ['>', '$ram', 10]])
        lease = self.update_lease(lease, {'reservations': [
            {'id': reservation_id, 'resource_properties': mine}]})
        self.assertEqual(set(hosts[1:]), self.hosts_of(lease))

    def test_allocation_views(self):
        first, second = self.enroll()['id'], self.enroll()['id']
        lease = self.lease('2040-09-01 10:00', '2040-09-01 12:00',
                           self.reservation(2, 2))
        reservation_id = lease['reservations'][0]['id']
        expected = [{'id': reservation_id, 'lease_id': lease['id'],
                     'start_date': '2040-09-01T10:00:00.000000',
                     'end_date': '2040-09-01T12:00:00.000000'}]
        every = self.request('GET', '/v1/os-hosts/allocations').json()
        by_host = {a['resource_id']: a['reservations']
                   for a in every['allocations']}
        self.assertEqual(expected, by_host[first])
        self.assertEqual(expected, by_host[second])
        for query in ('lease_id=%s' % lease['id'],
                      'reservation_id=%s' % reservation_id):
            one = self.request('GET', '/v1/os-hosts/%s/allocation?%s'
                               % (first, query))
            self.assertEqual({'allocation': {'resource_id': first,
                                             'reservations': expected}},
                             one.json())
        other = self.request('GET', '/v1/os-hosts/%s/allocation.json'
                             '?lease_id=other' % first).json()
        self.assertEqual([], other['allocation']['reservations'])
        self.assertError(
            self.request('GET', '/v1/os-hosts/999999/allocation'), 404,
            "Object with {'host_id': '999999'} not found")

    def test_lease_with_blazarclient(self):
        host = self.enroll()['id']
        client = self.client()
        # As `blazar lease-create --physical-reservation min=1,max=1,...`
        # sends it: digits as integers, empty defaults.
        reservation = {'min': 1, 'max': 1, 'hypervisor_properties': '',
                       'resource_properties': json.dumps(
                           ['==', '$suite', self.suite]),
                       'resource_type': 'physical:host'}
        lease = client.lease.create('client-lease', '2040-10-01 10:00',
                                    '2040-10-01 12:00', [reservation], [])
        self.assertEqual({host}, self.hosts_of(lease))
        allocations = client.allocation.list('os-hosts')
        mine = [a for a in allocations if a['resource_id'] == host]
        self.assertEqual(lease['id'], mine[0]['reservations'][0]['lease_id'])
        error = self.assertRaises(
            client_exception.BlazarClientException, client.lease.create,
            'second', '2040-10-01 11:00', '2040-10-01 13:00',
            [reservation], [])
        self.assertEqual(409, error.kwargs['code'])
        self.assertIn('Not enough hosts available', str(error))
        client.lease.delete(lease['id'])
        self.assertEqual(set(), self.hosts_of(lease))


class HostReservationTest(HostReservationTests, HostsTestCase):
    pass


class MariaDBSplitHostReservationTest(HostReservationTests, HostsTestCase):
    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitHostReservationTest(HostReservationTests,
                                         HostsTestCase):
    backend = 'postgresql'
    topology = 'split'


class CleaningTimeTest(HostsTestCase):

    config = dict(HOSTS_CONFIG, DEFAULT={'cleaning_time': 30})

    def test_cleaning_time_separates_leases(self):
        self.enroll()
        self.lease('2040-01-01 10:00', '2040-01-01 12:00')
        error = self.lease('2040-01-01 12:00', '2040-01-01 13:00',
                           status=409)
        self.assertEqual(
            'Not enough hosts available: 1 host matches the request, 0 are '
            'free from 2040-01-01 11:30 to 2040-01-01 13:30 (the lease with '
            '30 minutes of cleaning time on each side), at least 1 needed',
            error['error_message'])
        self.lease('2040-01-01 09:00', '2040-01-01 09:31', status=409)
        self.lease('2040-01-01 12:30', '2040-01-01 13:00')
        self.lease('2040-01-01 09:00', '2040-01-01 09:30')


class ResourcePropertiesTest(HostsTestCase):

    def test_list_and_make_private(self):
        name = 'prop_%s' % self.suite
        self.enroll(**{name: 'a'})
        self.enroll(**{name: 'b'})
        listed = self.request('GET', '/v1/os-hosts/properties').json()
        self.assertIn({'property': name}, listed['resource_properties'])
        detail = self.request('GET', '/v1/os-hosts/properties?detail=1')
        self.assertIn({'property': name, 'private': False,
                       'values': ['a', 'b']},
                      detail.json()['resource_properties'])

        path = '/v1/os-hosts/properties/%s' % name
        patched = self.request('PATCH', path, {'private': True})
        self.assertEqual(200, patched.status_code, patched.text)
        prop = patched.json()['resource_property']
        self.assertEqual((name, 'physical:host', True),
                         (prop['property_name'], prop['resource_type'],
                          prop['private']))
        hidden = self.request('GET', '/v1/os-hosts/properties?detail=1')
        self.assertNotIn(name, [p['property'] for p in
                                hidden.json()['resource_properties']])
        shown = self.request('GET',
                             '/v1/os-hosts/properties?detail=1&all=1')
        self.assertIn({'property': name, 'private': True,
                       'values': ['a', 'b']},
                      shown.json()['resource_properties'])

        self.assertError(self.request('PATCH', path, {'private': 'yes'}),
                         400, 'private must be true or false')
        self.assertError(
            self.request('PATCH', '/v1/os-hosts/properties/nope',
                         {'private': True}),
            404, "Object with {'property_name': 'nope'} not found")

    def test_with_blazarclient(self):
        name = 'prop_%s' % self.suite
        self.enroll(**{name: 'x'})
        client = self.client()
        self.assertIn(name, [p['property']
                             for p in client.host.list_properties()])
        client.host.set_property(name, private=True)
        self.assertNotIn(name, [p['property']
                                for p in client.host.list_properties()])


class StartedHostLeaseTest(HostsTestCase):
    """Start and end run the static inventory (nothing outside Blazar)."""

    def test_active_reservation_keeps_its_hosts_and_grows(self):
        first = self.enroll()['id']
        lease = self.lease('now', in_minutes(30))
        lease = self.wait_for_status(lease['id'], 'ACTIVE')
        reservation = lease['reservations'][0]
        self.assertEqual('active', reservation['status'])
        self.assertEqual({first}, self.hosts_of(lease))

        self.update_lease(lease, {'end_date': in_minutes(40)})
        second = self.enroll()['id']
        end = datetime.datetime.utcnow() + datetime.timedelta(seconds=3)
        other = self.lease('now', end.strftime('%Y-%m-%dT%H:%M:%SZ'))
        self.assertEqual({second}, self.hosts_of(other))
        error = self.update_lease(lease, {'reservations': [
            {'id': reservation['id'], 'min': 2, 'max': 2}]}, 409)
        self.assertIn('at least 2 needed', error['error_message'])
        # Busy only in the part of the lease that is over, the host is
        # free for what is left of it.
        self.wait_for_status(other['id'], 'TERMINATED')
        lease = self.update_lease(lease, {'reservations': [
            {'id': reservation['id'], 'min': 2, 'max': 3}]})
        self.assertEqual((2, 3), (lease['reservations'][0]['min'],
                                  lease['reservations'][0]['max']))
        self.assertEqual({first, second}, self.hosts_of(lease))

        error = self.update_lease(lease, {'reservations': [
            {'id': reservation['id'], 'min': 1, 'max': 1}]}, 409)
        self.assertIn('cannot give any up; max must be at least 2',
                      error['error_message'])
        mine = json.dumps(['and', ['==', '$suite', self.suite],
                           ['!=', '$id', first]])
        error = self.update_lease(lease, {'reservations': [
            {'id': reservation['id'], 'resource_properties': mine}]}, 409)
        self.assertIn('would lose host(s) %s' % first,
                      error['error_message'])
        self.assertEqual({first, second}, self.hosts_of(lease))
        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)
        for host in (first, second):
            self.assertEqual(204, self.request(
                'DELETE', '/v1/os-hosts/%s' % host).status_code)

    def test_active_lease_extends_into_free_time_only(self):
        host = self.enroll()['id']
        lease = self.wait_for_status(
            self.lease('now', in_minutes(30))['id'], 'ACTIVE')
        later_start = in_minutes(40)
        later = self.lease(later_start, in_minutes(60))
        self.assertEqual({host}, self.hosts_of(later))

        error = self.update_lease(lease, {'end_date': in_minutes(50)}, 409)
        self.assertIn('would lose host(s) %s' % host, error['error_message'])
        self.update_lease(lease, {'end_date': in_minutes(20)})
        # Up to the very start of the next lease.
        self.update_lease(lease, {'end_date': later_start})
        error = self.update_lease(lease, {'start_date': in_minutes(1)}, 400)
        self.assertEqual('Cannot modify the start date of already started '
                         'leases', error['error_message'])
        self.assertEqual({host}, self.hosts_of(lease))
        self.assertEqual('ACTIVE', self.request(
            'GET', '/v1/leases/%s' % lease['id']).json()['lease']['status'])

    def test_ended_lease_leaves_the_default_allocation_view(self):
        host = self.enroll()['id']
        end = datetime.datetime.utcnow() + datetime.timedelta(seconds=3)
        lease = self.lease('now', end.strftime('%Y-%m-%dT%H:%M:%SZ'))
        self.wait_for_status(lease['id'], 'TERMINATED')
        current = self.request('GET', '/v1/os-hosts/%s/allocation' % host)
        self.assertEqual([], current.json()['allocation']['reservations'])
        self.assertEqual({host}, self.hosts_of(lease))
        # A terminated lease no longer holds the host.
        self.assertEqual(204, self.request(
            'DELETE', '/v1/os-hosts/%s' % host).status_code)


class FailedStartTest(HostsTestCase):
    """A lease whose start failed half-way (ERROR, its reservations still
    pending) is deleted: every reservation is ended, none is left
    holding anything. The probe plugin refuses the start and journals
    the end."""

    @classmethod
    def make_service(cls):
        cls.probe = probe.Probe()
        cls.probe.setUp()
        config = dict(HOSTS_CONFIG, test_probe=cls.probe.config['test_probe'],
                      manager={'plugins': 'physical.host.plugin,%s'
                               % probe.ENTRY_POINT})
        return base.BlazarService(cls.backend, cls.topology, config,
                                  env=cls.probe.env)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.probe.cleanUp()

    def test_delete_ends_the_pending_reservations_of_an_error_lease(self):
        self.probe.behave('refuses', on_start={'refuse': True})
        host = self.enroll()['id']
        end = in_minutes(30)
        lease = self.lease('now', end, self.reservation(), {
            'resource_type': probe.RESOURCE_TYPE, 'resource': 'refuses'})
        lease = self.wait_for_status(lease['id'], 'ERROR')
        self.assertEqual(['pending', 'pending'],
                         [r['status'] for r in lease['reservations']])
        self.assertEqual({host}, self.hosts_of(lease))

        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)
        ended = {line['reservation'] for line
                 in self.probe.journal('end', 'on_end')}
        refused = next(r['id'] for r in lease['reservations']
                       if r['resource_type'] == probe.RESOURCE_TYPE)
        self.assertIn(refused, ended)
        current = self.request('GET', '/v1/os-hosts/%s/allocation' % host)
        self.assertEqual([], current.json()['allocation']['reservations'])
        again = self.lease('now', end)
        self.assertEqual({host}, self.hosts_of(again))


class HostQueriesTest(HostsTestCase):
    """Questions the manager asks the host plugin's tables outside the
    API (which ends a start waits for, where hosts belong in Nova), asked
    of the service's own database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        conf = cfg.ConfigOpts()
        engine.register_opts(conf)
        options.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override('connection', cls.service.database_url,
                          group='database')
        conf.set_override('inventory', options.STATIC, group=options.GROUP)
        cls.facade = enginefacade.transaction_context()
        cls.facade.configure(connection=cls.service.database_url)
        cls.plugin = host_plugin.HostPlugin(conf)

    @classmethod
    def tearDownClass(cls):
        cls.facade.dispose_pool()
        super().tearDownClass()

    def sharing(self, lease, others):
        self.patch(engine, '_facade', self.facade)
        with engine.reader(blazar_context.admin_context()) as session:
            return self.plugin.leases_sharing_resources(
                session, db_leases.reservations_of(session, lease['id']),
                [other['id'] for other in others])

    def test_only_leases_holding_the_same_hosts(self):
        first, second = self.enroll(), self.enroll()

        def on(*hosts):
            names = ['==', '$hypervisor_hostname',
                     hosts[0]['hypervisor_hostname']]
            if len(hosts) == 2:
                names = ['or', names, ['==', '$hypervisor_hostname',
                                       hosts[1]['hypervisor_hostname']]]
            return self.reservation(len(hosts), len(hosts), names)

        ending = self.lease('2040-12-01 10:00', '2040-12-01 12:00',
                            on(first))
        elsewhere = self.lease('2040-12-01 10:00', '2040-12-01 12:00',
                               on(second))
        both = self.lease('2040-12-02 10:00', '2040-12-02 12:00',
                          on(first, second))
        starting = self.lease('2040-12-01 12:00', '2040-12-01 14:00',
                              on(first))

        self.assertEqual({ending['id'], both['id']},
                         self.sharing(starting, [ending, elsewhere, both]))
        self.assertEqual({both['id']},
                         self.sharing(elsewhere, [ending, starting, both]))
        self.assertEqual(set(), self.sharing(starting, [elsewhere]))

    def test_drift_repair_leaves_a_leaving_host_alone(self):
        host = self.enroll()
        name = host['service_name']
        self.patch(engine, '_facade', self.facade)
        context = blazar_context.admin_context()

        def places():
            return nova_reconcile.read_places(context, 'freepool')

        self.assertEqual(nova_reconcile.Place('freepool'), places()[name])
        with engine.writer(context) as session:
            session.get(models.ComputeHost, int(host['id'])).status = (
                models.LEAVING)
        self.assertNotIn(name, places())


class QuickstartDefaultsTest(base.ServiceTestCase):
    """blazar-all without configuration serves hosts (static inventory)."""

    def test_hosts_without_configuration(self):
        response = self.request('POST', '/v1/os-hosts', {
            'name': 'quick-%s' % uuid.uuid4().hex[:8], 'vcpus': 1,
            'memory_mb': 1, 'local_gb': 1})
        self.assertEqual(201, response.status_code, response.text)


class HostPluginDisabledTest(base.ServiceTestCase):

    config = {'manager': {'plugins': ''}}

    def test_routes_do_not_exist(self):
        for method, path in (('GET', '/v1/os-hosts'),
                             ('POST', '/v1/os-hosts'),
                             ('GET', '/v1/os-hosts/1'),
                             ('GET', '/v1/os-hosts/allocations'),
                             ('GET', '/v1/os-hosts/properties')):
            response = self.request(method, path, {})
            self.assertEqual(404, response.status_code, (method, path))
            self.assertEqual(404, response.json()['error'])
        lease = self.request('POST', '/v1/leases', {
            'name': 'l', 'start_date': in_minutes(60),
            'end_date': in_minutes(120), 'events': [],
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1}]})
        self.assertError(lease, 400, 'The physical:host resource type is '
                                     'not supported')


class SecondManager:
    """Mixed in before a split service's test case: a second
    blazar-manager beside the first, both serving before any test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service.start_manager()
        wait_for_managers(cls.service)


class ConcurrentClaimsTests(SecondManager):
    """Many clients, two managers, one window: no host is given twice."""

    topology = 'split'
    config = dict(HOSTS_CONFIG, api={'workers': 4})

    def test_racing_clients_never_share_a_host(self):
        hosts = {self.enroll()['id'] for _ in range(10)}
        start, end = '2041-01-01 10:00', '2041-01-01 12:00'

        def reserve(n):
            return self.request('POST', '/v1/leases', {
                'name': 'race-%d' % n, 'start_date': start, 'end_date': end,
                'events': [], 'reservations': [self.reservation(1, 1)]})

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            responses = list(pool.map(reserve, range(20)))
        statuses = sorted(r.status_code for r in responses)
        self.assertEqual([201] * 10 + [409] * 10, statuses,
                         [r.text for r in responses if r.status_code != 201])
        for response in responses:
            if response.status_code == 409:
                self.assertTrue(response.json()['error_message'].startswith(
                    'Not enough hosts available: 10 hosts match the request, '
                    '0 are free'), response.text)
        allocations = self.request(
            'GET', '/v1/os-hosts/allocations').json()['allocations']
        held = {a['resource_id']: a['reservations'] for a in allocations
                if a['resource_id'] in hosts}
        self.assertEqual(hosts, set(held))
        self.assertEqual([1] * 10, [len(r) for r in held.values()])
        leases = {r.json()['lease']['id'] for r in responses
                  if r.status_code == 201}
        self.assertEqual(leases, {r[0]['lease_id'] for r in held.values()})


class MariaDBConcurrentClaimsTest(ConcurrentClaimsTests, HostsTestCase):
    backend = 'mysql'


class PostgreSQLConcurrentClaimsTest(ConcurrentClaimsTests, HostsTestCase):
    backend = 'postgresql'

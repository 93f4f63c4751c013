"""Instance reservations through the real API, over HTTP and
python-blazarclient, with the static inventory: slot counting, refusals,
updates, the allocation view, start and end, racing clients.

Hosts are enrolled through the host plugin; each test tags its hosts with
its own ``suite`` capability and reserves only hosts with that tag.
"""

import concurrent.futures
import datetime
import json

from blazarclient import exception as client_exception

from tests.functional import test_hosts

CONFIG = {'manager': {'plugins': 'physical.host.plugin,'
                                 'virtual.instance.plugin'},
          'physical:host': {'inventory': 'static'}}
# Enrolled hosts have 8 VCPUs, 4096 MB and 100 GB: 4 slots of this size.
SLOT = {'vcpus': 2, 'memory_mb': 1024, 'disk_gb': 10}


class InstancesTestCase(test_hosts.HostsTestCase):

    config = CONFIG

    def slots(self, amount, affinity=None, properties=None, **fields):
        mine = ['==', '$suite', self.suite]
        wanted = ['and', mine, properties] if properties else mine
        values = dict(SLOT, resource_type='virtual:instance', amount=amount,
                      affinity=affinity,
                      resource_properties=json.dumps(wanted))
        values.update(fields)
        return values

    def slots_of(self, lease):
        """host id -> slots the lease's one reservation holds there, from
        the allocation view (which lists it once per host)."""
        response = self.request('GET', '/v1/os-hosts/allocations?lease_id=%s'
                                % lease['id'])
        self.assertEqual(200, response.status_code, response.text)
        held = {}
        for host in response.json()['allocations']:
            for entry in host['reservations']:
                self.assertNotIn(host['resource_id'], held, 'listed twice')
                held[host['resource_id']] = entry['slots']
        return held


class InstanceReservationTests:
    """Reserving slots; run on every backend."""

    def test_slots_fill_hosts_then_refuse(self):
        first, second = self.enroll()['id'], self.enroll()['id']
        start, end = '2040-01-01 10:00', '2040-01-01 12:00'
        lease = self.lease(start, end, self.slots(6))
        self.assertEqual({first: 4, second: 2}, self.slots_of(lease))
        error = self.lease('2040-01-01 11:00', '2040-01-01 13:00',
                           self.slots(3), status=409)
        self.assertEqual(
            'Not enough hosts available: 3 instances of 2 VCPU(s), 1024 MB '
            'of memory and 10 GB of disk do not fit from 2040-01-01 11:00 '
            'to 2040-01-01 13:00; 2 hosts match the request, with room for '
            '2 such instance(s) in all and at most 2 on one host',
            error['error_message'])
        self.lease('2040-01-01 11:00', '2040-01-01 13:00', self.slots(2))
        # Capacity is a peak over time: after the first lease, all is free.
        self.lease('2040-01-01 12:00', '2040-01-01 14:00', self.slots(6))

    def test_affinity(self):
        first, second = self.enroll()['id'], self.enroll()['id']
        start, end = '2040-02-01 10:00', '2040-02-01 12:00'
        together = self.lease(start, end, self.slots(3, affinity=True))
        self.assertEqual({first: 3}, self.slots_of(together))
        apart = self.lease(start, end, self.slots(2, affinity='False'))
        self.assertEqual({first: 1, second: 1}, self.slots_of(apart))
        error = self.lease(start, end, self.slots(4, affinity=True),
                           status=409)
        self.assertIn('all on one host do not fit', error['error_message'])
        self.assertIn('at most 3 on one host', error['error_message'])

    def test_never_on_a_host_reservation_or_an_unenrolled_host(self):
        self.enroll()
        self.enroll()
        start, end = '2040-03-01 10:00', '2040-03-01 12:00'
        whole = self.lease(start, end, self.reservation(1, 1))
        [held] = self.hosts_of(whole)
        slots = self.lease('2040-03-01 11:00', '2040-03-01 13:00',
                           self.slots(4))
        self.assertNotIn(held, self.slots_of(slots))
        self.lease(start, end, self.slots(1), status=409)
        # And a host with slots in the window is not free for hosts.
        self.lease(start, end, self.reservation(1, 1), status=409)
        self.lease(start, end, self.slots(1, properties=[
            '==', '$hypervisor_hostname', 'not-enrolled']), status=409)

    def test_capability_used_by_an_instance_reservation_is_locked(self):
        host = self.enroll(gpu='true')
        self.lease('2040-04-01 10:00', '2040-04-01 12:00',
                   self.slots(1, properties=['==', '$gpu', 'true']))
        path = '/v1/os-hosts/%s' % host['id']
        self.assertError(
            self.request('PUT', path, {'gpu': 'false'}), 409,
            "Can't update extra capabilities [gpu] of host %s: reservations "
            "holding the host select hosts by them" % host['id'])
        self.assertEqual(200, self.request('PUT', path,
                                           {'rack': '4'}).status_code)

    def test_lease_view_and_client(self):
        self.enroll()
        client = self.client()
        # As `blazar lease-create --reservation resource_type=virtual:
        # instance,vcpus=2,...` sends it: digits as integers, defaults.
        request = dict(self.slots(2), affinity='None')
        lease = client.lease.create('slots', '2040-04-01 10:00',
                                    '2040-04-01 12:00', [request], [])
        [reservation] = lease['reservations']
        self.assertEqual(
            {'resource_type': 'virtual:instance', 'vcpus': 2,
             'memory_mb': 1024, 'disk_gb': 10, 'amount': 2, 'affinity': None,
             'resource_properties': request['resource_properties'],
             'flavor_id': reservation['id'], 'aggregate_id': None,
             'server_group_id': None, 'status': 'pending'},
            {k: reservation[k] for k in (
                'resource_type', 'vcpus', 'memory_mb', 'disk_gb', 'amount',
                'affinity', 'resource_properties', 'flavor_id',
                'aggregate_id', 'server_group_id', 'status')})
        self.assertEqual(reservation,
                         client.lease.get(lease['id'])['reservations'][0])

        updated = client.lease.update(lease['id'], reservations=[
            {'id': reservation['id'], 'amount': 4, 'vcpus': 1}])
        self.assertEqual((4, 1), (updated['reservations'][0]['amount'],
                                  updated['reservations'][0]['vcpus']))
        error = self.assertRaises(
            client_exception.BlazarClientException, client.lease.update,
            lease['id'], reservations=[{'id': reservation['id'],
                                        'amount': 9}])
        self.assertEqual(409, error.kwargs['code'])
        self.assertIn('Not enough hosts available', str(error))
        error = self.assertRaises(
            client_exception.BlazarClientException, client.lease.create,
            'more', '2040-04-01 11:00', '2040-04-01 13:00',
            [dict(request, amount=1)], [])
        self.assertEqual(409, error.kwargs['code'])
        client.lease.delete(lease['id'])
        self.assertEqual({}, self.slots_of(lease))
        client.lease.create('more', '2040-04-01 11:00', '2040-04-01 13:00',
                            [dict(request, amount=4)], [])

    def test_allocation_view_counts_slots_beside_whole_hosts(self):
        first, second = self.enroll()['id'], self.enroll()['id']
        start, end = '2040-06-01 10:00', '2040-06-01 12:00'
        slots = self.lease(start, end, self.slots(3, affinity=True))
        whole = self.lease(start, end, self.reservation(1, 1))
        window = {'start_date': test_hosts.wire(start),
                  'end_date': test_hosts.wire(end)}
        slots_entry = dict(window, id=slots['reservations'][0]['id'],
                           lease_id=slots['id'], slots=3)
        # A whole host keeps upstream's entry, without a slot count.
        whole_entry = dict(window, id=whole['reservations'][0]['id'],
                           lease_id=whole['id'])
        expected = {first: [slots_entry], second: [whole_entry]}

        every = self.request('GET', '/v1/os-hosts/allocations').json()
        self.assertEqual(expected, {
            a['resource_id']: a['reservations'] for a in every['allocations']
            if a['resource_id'] in expected})
        client = self.client()
        self.assertEqual(expected, {
            a['resource_id']: a['reservations']
            for a in client.allocation.list('os-hosts')
            if a['resource_id'] in expected})
        for host, entries in expected.items():
            self.assertEqual(entries, client.allocation.get(
                'os-hosts', host)['reservations'])
        self.update_lease(slots, {'reservations': [
            {'id': slots_entry['id'], 'amount': 4}]})
        self.assertEqual({first: 4}, self.slots_of(slots))

    def test_moving_dates_checks_capacity_again(self):
        self.enroll()
        early = self.lease('2040-05-01 10:00', '2040-05-01 12:00',
                           self.slots(3))
        late = self.lease('2040-05-01 12:00', '2040-05-01 14:00',
                          self.slots(3))
        error = self.update_lease(late, {'start_date': '2040-05-01 11:00'},
                                  409)
        self.assertIn('Not enough hosts available', error['error_message'])
        self.update_lease(early, {'end_date': '2040-05-01 11:00'})
        self.update_lease(late, {'start_date': '2040-05-01 11:00'})

    def test_request_errors(self):
        self.enroll()
        cases = [
            (self.slots(0), 'amount must be >= 1'),
            (self.slots(1, affinity='maybe'),
             'Malformed parameter affinity (must be a bool value or None)'),
            ({'resource_type': 'virtual:instance', 'amount': 1},
             'Missing parameter vcpus,memory_mb,disk_gb,affinity,'
             'resource_properties'),
            (self.slots(1, vcpus='two'), 'Malformed parameter vcpus'),
        ]
        for reservation, message in cases:
            error = self.lease('2040-06-01 10:00', '2040-06-01 12:00',
                               reservation, status=400)
            self.assertEqual(message, error['error_message'])


class InstanceReservationTest(InstanceReservationTests, InstancesTestCase):

    def test_server_leases_refused_before_any_claim(self):
        self.enroll()
        server = {'resource_type': 'virtual:instance',
                  'server_id': 'c0ffee00-0000-4000-8000-000000000001'}
        cases = [
            (server, 'A lease for an existing server (server_id '
                     'c0ffee00-0000-4000-8000-000000000001) needs the Nova '
                     'inventory ([physical:host] inventory = nova); the '
                     'static inventory has no servers'),
            (dict(server, vcpus=2, amount=1),
             'A virtual:instance reservation names either a server_id or '
             'a size and an amount, not both: the server\'s flavor is its '
             'size (got vcpus, amount)'),
            (dict(server, affinity=True),
             'A virtual:instance reservation names either a server_id or '
             'a size and an amount, not both: the server\'s flavor is its '
             'size (got affinity)'),
            (dict(server, server_id=7), 'Malformed parameter server_id'),
        ]
        for reservation, message in cases:
            error = self.lease('2040-06-01 10:00', '2040-06-01 12:00',
                               reservation, status=400)
            self.assertEqual(message, error['error_message'])
        # Blazarclient's empty fields are no size.
        blank = dict(server, vcpus='', memory_mb='', disk_gb='', amount='',
                     affinity='None', resource_properties='')
        error = self.lease('2040-06-01 10:00', '2040-06-01 12:00', blank,
                           status=400)
        self.assertIn('needs the Nova inventory', error['error_message'])

    def test_server_id_cannot_be_updated(self):
        self.enroll()
        lease = self.lease('2040-06-01 10:00', '2040-06-01 12:00',
                           self.slots(1))
        reservation_id = lease['reservations'][0]['id']
        self.assertIsNone(lease['reservations'][0]['server_id'])
        error = self.update_lease(lease, {'reservations': [
            {'id': reservation_id, 'server_id': 'other'}]}, 409)
        self.assertEqual('server_id cannot be updated',
                         error['error_message'])


class MariaDBSplitInstanceReservationTest(InstanceReservationTests,
                                          InstancesTestCase):
    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitInstanceReservationTest(InstanceReservationTests,
                                             InstancesTestCase):
    backend = 'postgresql'
    topology = 'split'


class StartedInstanceLeaseTest(InstancesTestCase):
    """Start and end with the static inventory; active updates."""

    wait_for_status = test_hosts.StartedHostLeaseTest.wait_for_status

    def test_active_reservation_grows_never_shrinks(self):
        self.enroll()
        lease = self.lease('now', test_hosts.in_minutes(30), self.slots(2))
        lease = self.wait_for_status(lease['id'], 'ACTIVE')
        reservation = lease['reservations'][0]
        self.assertEqual('active', reservation['status'])
        grown = self.update_lease(lease, {'reservations': [
            {'id': reservation['id'], 'amount': 4}]})
        self.assertEqual(4, grown['reservations'][0]['amount'])
        for change, message in (
                ({'amount': 3}, "Instance reservation doesn't allow to "
                                'reduce/replace reserved instance slots when '
                                'the reservation is in active status.'),
                ({'amount': 5}, "Instance reservation doesn't allow to "
                                'reduce/replace reserved instance slots when '
                                'the reservation is in active status.'),
                ({'vcpus': 1}, 'An active reservation only accepts to '
                               'update amount.')):
            change['id'] = reservation['id']
            error = self.update_lease(lease, {'reservations': [change]}, 409)
            self.assertEqual(message, error['error_message'])
        self.update_lease(lease, {'end_date': test_hosts.in_minutes(1)})
        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)

    def test_active_reservation_needs_room_only_for_what_is_left(self):
        self.enroll()
        short_end = (datetime.datetime.utcnow()
                     + datetime.timedelta(seconds=3))
        short = self.lease('now', short_end.strftime('%Y-%m-%dT%H:%M:%SZ'),
                           self.slots(2))
        lease = self.lease('now', test_hosts.in_minutes(30), self.slots(2))
        lease = self.wait_for_status(lease['id'], 'ACTIVE')
        self.wait_for_status(short['id'], 'TERMINATED')
        # The short lease held the other half of the host when this one
        # started; that part of the window is over.
        grown = self.update_lease(lease, {'reservations': [
            {'id': lease['reservations'][0]['id'], 'amount': 4}]})
        self.assertEqual(4, grown['reservations'][0]['amount'])


class ConcurrentSlotClaimsTests(test_hosts.SecondManager):
    """Many clients, two managers, one host: never more slots than fit."""

    topology = 'split'
    config = dict(CONFIG, api={'workers': 4})

    def test_racing_clients_never_overbook(self):
        host = self.enroll()['id']
        start, end = '2041-01-01 10:00', '2041-01-01 12:00'

        def reserve(n):
            return self.request('POST', '/v1/leases', {
                'name': 'race-%d' % n, 'start_date': start, 'end_date': end,
                'events': [], 'reservations': [self.slots(1)]})

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(reserve, range(12)))
        statuses = sorted(r.status_code for r in responses)
        self.assertEqual([201] * 4 + [409] * 8, statuses,
                         [r.text for r in responses if r.status_code != 201])
        held = self.request('GET', '/v1/os-hosts/%s/allocation' % host)
        self.assertEqual(4, len(held.json()['allocation']['reservations']))


class MariaDBConcurrentSlotClaimsTest(ConcurrentSlotClaimsTests,
                                      InstancesTestCase):
    backend = 'mysql'


class PostgreSQLConcurrentSlotClaimsTest(ConcurrentSlotClaimsTests,
                                         InstancesTestCase):
    backend = 'postgresql'

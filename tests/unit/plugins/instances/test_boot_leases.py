"""Which lease a server gets at its boot, from Nova's notification (pure
logic)."""

import datetime

import testtools

from blazar import exceptions
from blazar.plugins.instances import allocation
from blazar.plugins.instances import boot_leases

NOW = datetime.datetime(2040, 1, 1, 10, 0, 30)
SERVER = 'c6a5c1a4-3b0e-4f37-9a3e-7c1f1f0e8f11'
MONTH = 30 * 24 * 3600


def payload(metadata=None, extra_specs=None, host='compute-1'):
    """An InstanceCreatePayload as Nova sends it (the fields read)."""
    return {'nova_object.name': 'InstanceCreatePayload',
            'nova_object.data': {
                'uuid': SERVER, 'tenant_id': 'project-1',
                'user_id': 'user-1', 'host': host,
                'metadata': metadata or {},
                'flavor': {'nova_object.name': 'FlavorPayload',
                           'nova_object.data': {
                               'flavorid': 'small', 'vcpus': 2,
                               'memory_mb': 512, 'root_gb': 10,
                               'ephemeral_gb': 5,
                               'extra_specs': extra_specs}}}}


def lease_for(metadata=None, default_projects=(), **fields):
    server = boot_leases.booted_server(payload(metadata, **fields))
    return boot_leases.lease_values(server, NOW, list(default_projects),
                                    MONTH)


class BootedServerTest(testtools.TestCase):

    def test_reads_the_server_from_the_payload(self):
        server = boot_leases.booted_server(payload({'a': 'b'}))
        self.assertEqual(
            (SERVER, 'project-1', 'user-1', 'compute-1', {'a': 'b'}, None),
            (server.id, server.project_id, server.user_id, server.host,
             server.metadata, server.reservation_id))
        # The root disk is what a slot holds, as for server_id leases.
        self.assertEqual(allocation.Size(2, 512, 10), server.size)

    def test_a_payload_without_a_flavor_is_not_a_server(self):
        broken = payload()
        del broken['nova_object.data']['flavor']
        self.assertRaises(KeyError, boot_leases.booted_server, broken)


class ChosenLeaseTest(testtools.TestCase):

    def test_end_alone_starts_now(self):
        values = lease_for({boot_leases.LEASE_END: '2040-01-02 10:00'})
        self.assertEqual(
            ('server-' + SERVER, '2040-01-01T10:00:30.000000',
             '2040-01-02T10:00:00.000000', 'project-1', 'user-1'),
            (values['name'], values['start_date'], values['end_date'],
             values['project_id'], values['user_id']))
        self.assertEqual([{
            'resource_type': 'virtual:instance', 'server_id': SERVER,
            'vcpus': 2, 'memory_mb': 512, 'disk_gb': 10, 'amount': 1,
            'affinity': None, 'resource_properties': '',
            'booted_on': 'compute-1'}], values['reservations'])

    def test_start_name_and_the_api_date_formats(self):
        values = lease_for({boot_leases.LEASE_START: '2040-01-01T12:00:00Z',
                            boot_leases.LEASE_END: '2040-01-01T14:30:00+02:00',
                            boot_leases.LEASE_NAME: 'lab'})
        self.assertEqual(('lab', '2040-01-01T12:00:00.000000',
                          '2040-01-01T12:30:00.000000'),
                         (values['name'], values['start_date'],
                          values['end_date']))
        values = lease_for({boot_leases.LEASE_START: 'now',
                            boot_leases.LEASE_END: '2040-01-01 11:00'})
        self.assertEqual('2040-01-01T10:00:30.000000', values['start_date'])

    def test_a_chosen_lease_wins_over_the_default_one(self):
        values = lease_for({boot_leases.LEASE_END: '2040-01-01 11:00'},
                           default_projects=['*'])
        self.assertEqual('2040-01-01T11:00:00.000000', values['end_date'])

    def assertInvalid(self, metadata, *texts, **fields):
        error = self.assertRaises(exceptions.InvalidInput, lease_for,
                                  metadata, **fields)
        for text in texts:
            self.assertIn(text, str(error))

    def test_invalid_metadata_is_refused_naming_the_key(self):
        self.assertInvalid({boot_leases.LEASE_END: 'tomorrow'},
                           'blazar:lease_end', 'tomorrow is an invalid date')
        self.assertInvalid({boot_leases.LEASE_START: '2040-13-01 10:00',
                            boot_leases.LEASE_END: '2040-01-02 10:00'},
                           'blazar:lease_start')
        self.assertInvalid({boot_leases.LEASE_START: '2040-01-01 12:00',
                            boot_leases.LEASE_END: '2040-01-01 11:00'},
                           'blazar:lease_start, blazar:lease_end',
                           'End date must be later than start date')
        self.assertInvalid({boot_leases.LEASE_END: '2039-12-31 10:00'},
                           'End date must be later')
        self.assertInvalid({boot_leases.LEASE_START: '2040-01-01 09:00',
                            boot_leases.LEASE_END: '2040-01-01 11:00'},
                           'Start date must be later than current date')
        self.assertInvalid({boot_leases.LEASE_END: '2040-01-01 11:00',
                            boot_leases.LEASE_NAME: 'x' * 81},
                           'blazar:lease_name', 'at most 80 characters')

    def test_a_start_or_name_without_an_end_is_refused(self):
        self.assertInvalid({boot_leases.LEASE_START: '2040-01-01 12:00'},
                           'blazar:lease_end is missing')
        self.assertInvalid({boot_leases.LEASE_NAME: 'lab'},
                           'blazar:lease_end is missing',
                           default_projects=['*'])

    def test_a_server_in_a_reserved_slot_is_under_that_lease(self):
        slot = {boot_leases.RESERVATION_SPEC: 'reservation-1'}
        self.assertIsNone(lease_for(default_projects=['*'],
                                    extra_specs=slot))
        self.assertInvalid({boot_leases.LEASE_END: '2040-01-02 10:00'},
                           'slot of reservation reservation-1',
                           extra_specs=slot)


class DefaultLeaseTest(testtools.TestCase):

    def test_listed_projects_get_one_from_now_for_the_duration(self):
        for projects in (['project-1'], ['other', 'project-1'], ['*']):
            values = lease_for(default_projects=projects)
            self.assertEqual(('2040-01-01T10:00:30.000000',
                              '2040-01-31T10:00:30.000000'),
                             (values['start_date'], values['end_date']))
            self.assertEqual(SERVER, values['reservations'][0]['server_id'])

    def test_other_projects_get_none(self):
        self.assertIsNone(lease_for())
        self.assertIsNone(lease_for(default_projects=['other']))
        self.assertIsNone(lease_for({'purpose': 'lab'},
                                    default_projects=['other']))

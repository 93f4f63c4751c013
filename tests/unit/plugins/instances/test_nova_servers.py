"""A server under a lease: the calls made to a (fake) Nova, in order."""

from unittest import mock

from novaclient import exceptions as nova_exc
import testtools

from blazar import exceptions
from blazar.plugins.instances import allocation
from blazar.plugins.instances import nova_servers

SERVER = 'c0ffee00-0000-4000-8000-000000000001'


class FakeNova:
    """Servers whose status moves as Nova would, one poll after a call."""

    def __init__(self, status, tenant='project', refuse_unshelve=False,
                 host=None):
        self.status = status
        self.host = host
        self.tenant = tenant
        self.refuse_unshelve = refuse_unshelve
        self.calls = []
        self.servers = mock.Mock()
        self.servers.get.side_effect = self._get
        for action, after in (('shelve', 'SHELVED'),
                              ('shelve_offload', 'SHELVED_OFFLOADED'),
                              ('unshelve', 'ACTIVE')):
            getattr(self.servers, action).side_effect = self._acting(
                action, after)

    def _acting(self, action, after):
        def act(server_id, **kwargs):
            self.calls.append((action, kwargs))
            if not (action == 'unshelve' and self.refuse_unshelve):
                self.status = after
                self.host = kwargs.get('host')
        return act

    def _get(self, server_id):
        if server_id != SERVER:
            raise nova_exc.NotFound(404)
        return mock.Mock(
            status=self.status, tenant_id=self.tenant,
            flavor={'vcpus': 2, 'ram': 512, 'disk': 5},
            fault={'message': 'No valid host'},
            **{'OS-EXT-STS:task_state': None,
               'OS-EXT-SRV-ATTR:host': self.host})


class TestSize(testtools.TestCase):

    def test_the_flavor_of_the_projects_own_server(self):
        self.assertEqual(allocation.Size(2, 512, 5), nova_servers.size(
            FakeNova('ACTIVE'), SERVER, 'project', False))

    def test_another_projects_server_only_for_admins(self):
        nova = FakeNova('ACTIVE', tenant='other')
        error = self.assertRaises(exceptions.NotAuthorized,
                                  nova_servers.size, nova, SERVER,
                                  'project', False)
        self.assertIn('belongs to another project', str(error))
        self.assertEqual(allocation.Size(2, 512, 5), nova_servers.size(
            nova, SERVER, 'project', True))

    def test_unknown_server(self):
        error = self.assertRaises(exceptions.NotFound, nova_servers.size,
                                  FakeNova('ACTIVE'), 'nope', 'project',
                                  False)
        self.assertEqual('Object with server_id nope not found', str(error))


class TestShelving(testtools.TestCase):

    def test_offload_shelves_then_offloads_once(self):
        nova = FakeNova('ACTIVE')
        nova_servers.offload(nova, SERVER, 10)
        nova_servers.offload(nova, SERVER, 10)
        self.assertEqual([('shelve', {}), ('shelve_offload', {})],
                         nova.calls)
        self.assertEqual('SHELVED_OFFLOADED', nova.status)

    def test_unshelve_onto_the_host_once(self):
        nova = FakeNova('SHELVED')
        nova_servers.unshelve_onto(nova, SERVER, 'compute-1', 10)
        nova_servers.unshelve_onto(nova, SERVER, 'compute-1', 10)
        self.assertEqual([('shelve_offload', {}),
                          ('unshelve', {'host': 'compute-1'})], nova.calls)

    def test_a_server_running_elsewhere_is_moved(self):
        nova = FakeNova('ACTIVE', host='compute-2')
        nova_servers.unshelve_onto(nova, SERVER, 'compute-1', 10)
        self.assertEqual([('shelve', {}), ('shelve_offload', {}),
                          ('unshelve', {'host': 'compute-1'})], nova.calls)
        self.assertEqual(('ACTIVE', 'compute-1'), (nova.status, nova.host))

    def test_refused_unshelve_is_tried_again_later(self):
        nova = FakeNova('SHELVED_OFFLOADED', refuse_unshelve=True)
        error = self.assertRaises(exceptions.ServiceUnavailable,
                                  nova_servers.unshelve_onto, nova, SERVER,
                                  'compute-1', 10)
        self.assertIn('did not unshelve server %s onto compute-1: it is '
                      'SHELVED_OFFLOADED (No valid host)' % SERVER,
                      str(error))


class TestGivingBack(testtools.TestCase):

    def test_an_offloaded_server_is_unshelved_where_nova_chooses_once(self):
        nova = FakeNova('SHELVED_OFFLOADED')
        self.assertTrue(nova_servers.give_back(nova, SERVER, 10))
        self.assertFalse(nova_servers.give_back(nova, SERVER, 10))
        self.assertEqual([('unshelve', {})], nova.calls)
        self.assertEqual('ACTIVE', nova.status)

    def test_a_running_or_deleted_server_is_left_alone(self):
        nova = FakeNova('ACTIVE')
        self.assertFalse(nova_servers.give_back(nova, SERVER, 10))
        self.assertFalse(nova_servers.give_back(nova, 'gone', 10))
        self.assertEqual([], nova.calls)

    def test_refused_unshelve_is_reported(self):
        nova = FakeNova('SHELVED', refuse_unshelve=True)
        error = self.assertRaises(exceptions.ServiceUnavailable,
                                  nova_servers.give_back, nova, SERVER, 10)
        self.assertIn('did not unshelve server %s where Nova schedules it: '
                      'it is SHELVED' % SERVER, str(error))

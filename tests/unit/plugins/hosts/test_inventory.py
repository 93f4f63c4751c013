"""The static inventory and the choice of inventory."""

from unittest import mock

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from blazar import exceptions
from blazar.plugins.hosts import inventory
from blazar.plugins.hosts import options


class TestStaticDescribe(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.inventory = inventory.StaticInventory(None)

    def test_columns_and_extra_capabilities(self):
        described = self.inventory.describe(
            None, 'node-1', {'vcpus': '8', 'memory_mb': '4096',
                             'local_gb': '100', 'availability_zone': 'az1',
                             'hypervisor_version': '2', 'gpu': 'true'})
        self.assertEqual({'hypervisor_hostname': 'node-1',
                          'service_name': 'node-1', 'vcpus': 8,
                          'memory_mb': 4096, 'local_gb': 100,
                          'availability_zone': 'az1',
                          'hypervisor_version': 2}, described.columns)
        self.assertEqual({'gpu': 'true'}, described.extra_capabilities)

    def test_required_columns(self):
        error = self.assertRaises(
            exceptions.MissingParameter, self.inventory.describe, None, 'n',
            {'vcpus': '1'})
        self.assertEqual('Missing parameter memory_mb, local_gb', str(error))

    def test_malformed_numbers(self):
        for bad in ('-1', 'x', '1.5', '99999999999'):
            error = self.assertRaises(
                exceptions.MalformedParameter, self.inventory.describe, None,
                'n', {'vcpus': bad, 'memory_mb': '1', 'local_gb': '1'})
            self.assertEqual('Malformed parameter vcpus', str(error))


class TestStaticHealth(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts()))
        options.register_opts(self.conf.conf)
        self.inventory = inventory.StaticInventory(self.conf.conf)
        self.hosts = [{'id': str(n), 'hypervisor_hostname': 'node-%d' % n}
                      for n in (1, 2, 10)]

    def failed(self, listing):
        path = self.useFixture(fixtures.TempDir()).join('down')
        if listing is not None:
            with open(path, 'w') as down:
                down.write(listing)
        self.conf.config(group=options.GROUP, down_hosts_file=path)
        return self.inventory.failed_hosts(None, self.hosts)

    def test_listed_hostnames_are_down(self):
        self.assertEqual({'1', '10'}, self.failed(
            '# maintenance\n  node-1  \nnode-10 # disk\n\nnode-3\n'))

    def test_every_host_is_up_without_the_file(self):
        self.assertEqual(set(), self.failed(None))
        self.conf.config(group=options.GROUP, down_hosts_file=None)
        self.assertEqual(set(), self.inventory.failed_hosts(None,
                                                            self.hosts))


class TestLoad(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts()))
        options.register_opts(self.conf.conf)

    def test_static(self):
        self.conf.config(group=options.GROUP, inventory='static')
        self.assertIsInstance(inventory.load(self.conf.conf),
                              inventory.StaticInventory)

    def test_nova_is_imported_only_when_chosen(self):
        self.conf.config(group=options.GROUP, inventory='nova')
        nova_inventory = mock.Mock()
        with mock.patch.dict(
                'sys.modules',
                {'blazar.plugins.hosts.nova_inventory': nova_inventory}):
            loaded = inventory.load(self.conf.conf)
        self.assertIs(nova_inventory.NovaInventory.return_value, loaded)
        nova_inventory.NovaInventory.assert_called_once_with(self.conf.conf)

    def test_nova_unavailable_says_what_to_do(self):
        self.conf.config(group=options.GROUP, inventory='nova')
        with mock.patch.dict('sys.modules',
                             {'blazar.plugins.hosts.nova_inventory': None}):
            error = self.assertRaises(exceptions.BlazarError,
                                      inventory.load, self.conf.conf)
        self.assertIn('inventory = static', str(error))

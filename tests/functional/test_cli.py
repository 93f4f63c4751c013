"""The unchanged ``openstack reservation`` CLI against the quickstart."""

import json
import os
import subprocess
import sys

from tests.functional import base
from tests.functional import test_leases


class OpenStackCliTest(base.ServiceTestCase):
    """The commands README.rst shows, run as a user would type them."""

    def openstack(self, *args):
        executable = os.path.join(os.path.dirname(sys.executable),
                                  'openstack')
        command = [executable, '--os-auth-type', 'none', '--os-endpoint',
                   self.service.url + '/v1', 'reservation', *args]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout

    def openstack_json(self, *args):
        # Create commands print "Created a new ...:" before the JSON.
        output = self.openstack(*args, '-f', 'json')
        return json.loads(output[min(i for i in (output.find('{'),
                                                 output.find('['))
                                     if i >= 0):])

    def test_host_and_lease_commands(self):
        host = self.openstack_json(
            'host', 'create', '--extra', 'vcpus=8', '--extra',
            'memory_mb=16384', '--extra', 'local_gb=100', '--extra',
            'gpu=true', 'cli-compute-1')
        self.assertEqual('cli-compute-1', host['hypervisor_hostname'])
        self.assertEqual('true', host['gpu'])
        created = self.openstack_json(
            'lease', 'create', '--start-date', test_leases.in_minutes(30),
            '--end-date', test_leases.in_minutes(90), '--reservation',
            'resource_type=physical:host,min=1,max=1,'
            'resource_properties=["==", "$gpu", "true"]',
            'cli-lease')
        self.assertEqual('PENDING', created['status'])
        shown = self.openstack_json('lease', 'show', 'cli-lease')
        self.assertEqual(created['id'], shown['id'])
        listed = self.openstack_json('lease', 'list')
        self.assertIn(created['id'], [row['id'] for row in listed])
        allocations = self.openstack_json('allocation', 'list', 'host')
        held = [a for a in allocations if a['resource_id'] == host['id']]
        self.assertEqual([created['id']],
                         [r['lease_id'] for r in held[0]['reservations']])
        self.openstack('lease', 'set', '--name', 'cli-renamed',
                       '--prolong-for', '1h', created['id'])
        self.openstack('lease', 'delete', 'cli-renamed')
        listed = self.openstack_json('lease', 'list')
        self.assertNotIn(created['id'], [row['id'] for row in listed])
        self.openstack('host', 'delete', 'cli-compute-1')

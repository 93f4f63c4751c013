"""The unchanged ``openstack reservation`` CLI against the quickstart."""

import datetime
import json
import os
import re
import subprocess
import sys
import time

from tests.functional import base
from tests.functional import test_leases

LEASE_STATUS_TIMEOUT = 30


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

    def test_instance_lease_commands(self):
        self.openstack_json(
            'host', 'create', '--extra', 'vcpus=8', '--extra',
            'memory_mb=16384', '--extra', 'local_gb=100', 'cli-compute-2')
        self.addCleanup(self.openstack, 'host', 'delete', 'cli-compute-2')
        created = self.openstack_json(
            'lease', 'create', '--start-date', test_leases.in_minutes(30),
            '--end-date', test_leases.in_minutes(90), '--reservation',
            'resource_type=virtual:instance,vcpus=2,memory_mb=1024,'
            'disk_gb=10,amount=3,affinity=True,resource_properties=',
            'cli-slots')
        self.addCleanup(self.openstack, 'lease', 'delete', created['id'])
        [reservation] = _listed(created['reservations'])
        self.assertEqual(('virtual:instance', 3, 'pending'), (
            reservation['resource_type'], reservation['amount'],
            reservation['status']))
        shown = self.openstack_json('allocation', 'show', 'host',
                                    'cli-compute-2')
        self.assertEqual(
            [{'id': reservation['id'], 'lease_id': created['id'],
              'slots': 3}],
            [{key: entry[key] for key in ('id', 'lease_id', 'slots')}
             for entry in _listed(shown['reservations'])])

        # The static inventory starts and ends it without Nova.
        soon = datetime.datetime.now(datetime.timezone.utc)
        moved = self.request('PUT', '/v1/leases/%s' % created['id'], {
            'start_date': _iso(soon + datetime.timedelta(seconds=2)),
            'end_date': _iso(soon + datetime.timedelta(seconds=8))})
        self.assertEqual(200, moved.status_code, moved.text)
        self.wait_for_status(created['id'], 'ACTIVE')
        self.wait_for_status(created['id'], 'TERMINATED')

    def wait_for_status(self, lease_id, status):
        deadline = time.monotonic() + LEASE_STATUS_TIMEOUT
        while True:
            lease = self.request('GET', '/v1/leases/%s' % lease_id).json()[
                'lease']
            if lease['status'] == status:
                return
            if time.monotonic() > deadline:
                self.fail('lease %s is %s, wanted %s'
                          % (lease_id, lease['status'], status))
            time.sleep(0.2)


def _listed(text):
    """The objects of a list field as the CLI shows it: indented JSON
    objects one after another."""
    return [json.loads(entry) for entry in re.split(r'\n(?=\{)', text)]


def _iso(when):
    return when.strftime('%Y-%m-%dT%H:%M:%SZ')

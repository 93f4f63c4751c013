"""Leases made at a server's boot, from Nova's versioned
``instance.create.end`` notification as Nova sends it on the message bus,
through a real manager on MariaDB and RabbitMQ, with the static inventory
(no Nova: the server is only in the notification; what Blazar would write
on it is in the manager's log).

The real Nova's side (shelving, metadata, reclaiming) is
tests/integration/test_boot_leases.py.
"""

import datetime
import time
import uuid

from testtools import content

from tests import nova_bus
from tests.functional import base
from tests.functional import test_hosts
from tests.functional import test_instances

DEFAULT_PROJECT = 'lab-%s' % uuid.uuid4().hex[:8]
DEFAULT_DURATION = 7200
# Copies of a notification delivered at once.
DUPLICATES = 3
WIRE = '%Y-%m-%dT%H:%M:%S.%f'


def wire(when):
    return when.strftime(WIRE)


class BootLeaseTest(test_hosts.HostsTestCase):

    backend = 'mysql'
    topology = 'split'
    topic = 'test_versioned_notifications_%s' % uuid.uuid4().hex[:8]
    config = dict(test_instances.CONFIG, **{
        'virtual:instance': {
            'leases_at_boot': True, 'notification_topics': topic,
            'default_lease_projects': DEFAULT_PROJECT,
            'default_lease_duration': DEFAULT_DURATION}})

    def setUp(self):
        super().setUp()
        self.addDetail('manager-log', content.content_from_file(
            self.manager.log_path, buffer_now=False))

    def notifier(self):
        notifier, transport = nova_bus.nova_notifier(
            self.service.transport_url, self.topic)
        self.addCleanup(transport.cleanup)
        return notifier

    def notify_boot(self, metadata=None, project='project-1', host=None,
                    vcpus=2):
        """Nova's instance.create.end for a new server, sent; the server's
        id and a function sending it again."""
        server_id = str(uuid.uuid4())
        notifier = self.notifier()
        payload = {
            'nova_object.name': 'InstanceCreatePayload',
            'nova_object.namespace': 'nova',
            'nova_object.version': '1.12',
            'nova_object.data': {
                'uuid': server_id, 'tenant_id': project,
                'user_id': 'user-of-%s' % project, 'host': host,
                'display_name': 'lab-server', 'state': 'active',
                'metadata': metadata or {},
                'flavor': {'nova_object.name': 'FlavorPayload',
                           'nova_object.data': {
                               'flavorid': 'small', 'vcpus': vcpus,
                               'memory_mb': 1024, 'root_gb': 10,
                               'extra_specs': {}}}}}

        def send():
            notifier.info({}, 'instance.create.end', payload)
        send()
        return server_id, send

    def notify_deletion(self, server_id):
        self.notifier().info({}, 'instance.delete.end', {
            'nova_object.name': 'InstanceActionPayload',
            'nova_object.namespace': 'nova',
            'nova_object.version': '1.8',
            'nova_object.data': {'uuid': server_id, 'state': 'deleted'}})

    @property
    def manager(self):
        return self.service.managers[0]

    def leases_of(self, server_id):
        """The leases holding the server, as the admin lists them."""
        response = self.request('GET', '/v1/leases')
        self.assertEqual(200, response.status_code, response.text)
        return [lease for lease in response.json()['leases']
                if any(r.get('server_id') == server_id
                       for r in lease['reservations'])]

    def wait_for_log_lines(self, text, count, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            with open(self.manager.log_path, errors='replace') as log:
                found = log.read().count(text)
            if found >= count:
                return
            if time.monotonic() > deadline:
                self.fail('the manager logged %r %d times, not %d'
                          % (text, found, count))
            time.sleep(0.1)

    def lease_made_for(self, server_id):
        self.manager.wait_for_log('made for server %s' % server_id)
        [lease] = self.leases_of(server_id)
        self.addCleanup(self.request, 'DELETE', '/v1/leases/%s'
                        % lease['id'])
        return lease

    def test_chosen_lease_on_the_server_host_made_once(self):
        self.enroll()
        current = self.enroll()
        # A window of its own: no other lease's slots sway the choice,
        # which would otherwise be the first enrolled host.
        start = datetime.datetime(2041, 1, 1) + datetime.timedelta(
            minutes=uuid.uuid4().int % 100000)
        end = start + datetime.timedelta(hours=1)
        server_id, send = self.notify_boot(
            {'blazar:lease_start': start.strftime('%Y-%m-%d %H:%M'),
             'blazar:lease_end': end.isoformat() + 'Z',
             'blazar:lease_name': 'lab'},
            host=current['hypervisor_hostname'])
        # Delivered again at once, as at-least-once delivery may: the
        # listener's threads take them side by side.
        for _again in range(DUPLICATES):
            send()
        lease = self.lease_made_for(server_id)
        self.assertEqual(
            ('lab', wire(start), wire(end), 'project-1', 'user-of-project-1',
             'PENDING', None),
            (lease['name'], lease['start_date'], lease['end_date'],
             lease['project_id'], lease['user_id'], lease['status'],
             lease['trust_id']))
        [reservation] = lease['reservations']
        self.assertEqual((2, 1024, 10, 1), (
            reservation['vcpus'], reservation['memory_mb'],
            reservation['disk_gb'], reservation['amount']))
        self.assertEqual({current['id']}, self.hosts_of(lease))
        self.manager.wait_for_log(
            "server %s is not in Nova, not labelled {'blazar:lease_id': '%s'}"
            % (server_id, lease['id']))

        self.wait_for_log_lines('Server %s has a lease already' % server_id,
                                DUPLICATES)
        self.assertEqual([lease['id']],
                         [found['id'] for found in self.leases_of(server_id)])

    def test_invalid_metadata_is_reported(self):
        self.enroll()
        server_id, _send = self.notify_boot({'blazar:lease_end': 'tomorrow'})
        self.manager.wait_for_log(
            'No lease for server %s (project project-1) at its boot: '
            'blazar:lease_end: tomorrow is an invalid date'
            % server_id)
        self.manager.wait_for_log(
            "server %s is not in Nova, not labelled {'blazar:error': "
            "'blazar:lease_end: tomorrow" % server_id)
        self.assertEqual([], self.leases_of(server_id))

    def test_no_room_is_reported(self):
        self.enroll()
        server_id, _send = self.notify_boot(project=DEFAULT_PROJECT,
                                            vcpus=64)
        self.manager.wait_for_log(
            'No lease for server %s (project %s) at its boot: Not enough '
            'hosts available: 1 instance of 64 VCPU(s)'
            % (server_id, DEFAULT_PROJECT))
        self.assertEqual([], self.leases_of(server_id))

    def test_default_lease_extended_by_its_holder(self):
        self.enroll()
        before = datetime.datetime.utcnow().replace(microsecond=0)
        server_id, _send = self.notify_boot(project=DEFAULT_PROJECT)
        lease = self.lease_made_for(server_id)
        start = datetime.datetime.strptime(lease['start_date'], WIRE)
        end = datetime.datetime.strptime(lease['end_date'], WIRE)
        self.assertLessEqual(before, start)
        self.assertEqual(datetime.timedelta(seconds=DEFAULT_DURATION),
                         end - start)
        self.assertEqual((DEFAULT_PROJECT, 'user-of-%s' % DEFAULT_PROJECT,
                          'server-%s' % server_id),
                         (lease['project_id'], lease['user_id'],
                          lease['name']))
        self.wait_for_status(lease['id'], 'ACTIVE')

        later = wire(end + datetime.timedelta(days=7))
        holder = base.member_of(DEFAULT_PROJECT,
                                'user-of-%s' % DEFAULT_PROJECT)
        response = self.request('PUT', '/v1/leases/%s' % lease['id'],
                                {'end_date': later}, headers=holder)
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(later, response.json()['lease']['end_date'])

        self.notify_deletion(server_id)
        self.manager.wait_for_log('Lease %s deleted with its server %s'
                                  % (lease['id'], server_id))
        self.assertEqual([], self.leases_of(server_id))

"""Healing host reservations when hosts fail, through the real API.

The static inventory reads which hosts are down from the file named by
``[physical:host] down_hosts_file``; the tests write it as an
administrator would, and the manager's health check (every second here)
makes failed hosts unreservable, moves reservations to free hosts, and
marks leases degraded while a failed host cannot be replaced.
"""

import os
import shutil
import tempfile
import time
import uuid


from tests import nova_bus
from tests.functional import base
from tests.functional import test_hosts

HEALING_TIMEOUT = 30


class DownHostsFile:
    """A service whose static inventory reads a down-hosts file the test
    writes; ``health_options`` say when the manager looks at it."""

    health_options = {'health_check_interval': 1}

    @classmethod
    def make_service(cls):
        cls.directory = tempfile.mkdtemp()
        cls.down_hosts_file = os.path.join(cls.directory, 'down-hosts')
        config = dict(cls.config)
        config['physical:host'] = dict(
            config['physical:host'], healing_horizon=0,
            down_hosts_file=cls.down_hosts_file, **cls.health_options)
        return base.BlazarService(cls.backend, cls.topology, config)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def mark_down(self, *hosts):
        with open(self.down_hosts_file, 'w') as listing:
            listing.write('# down for maintenance\n')
            listing.writelines('%s\n' % host['hypervisor_hostname']
                               for host in hosts)
        self.addCleanup(self.mark_all_up)

    def mark_all_up(self):
        if os.path.exists(self.down_hosts_file):
            os.unlink(self.down_hosts_file)

    def wait_until(self, what, predicate):
        deadline = time.monotonic() + HEALING_TIMEOUT
        while True:
            found = predicate()
            if found:
                return found
            if time.monotonic() > deadline:
                self.fail('never saw %s' % what)
            time.sleep(0.2)

    def get_lease(self, lease):
        return self.request('GET', '/v1/leases/%s' % lease['id']).json()[
            'lease']

    def reservable(self, host):
        return self.request('GET', '/v1/os-hosts/%s' % host['id']).json()[
            'host']['reservable']


class HostHealingTests(DownHostsFile):

    def test_failed_host_of_a_future_lease_is_replaced(self):
        hosts = {h['id']: h for h in (self.enroll(), self.enroll())}
        lease = self.lease('2040-11-01 10:00', '2040-11-01 12:00')
        [held] = self.hosts_of(lease)
        [spare] = set(hosts) - {held}

        self.mark_down(hosts[held])

        self.wait_until('the lease moved to the spare host',
                        lambda: self.hosts_of(lease) == {spare})
        self.assertFalse(self.reservable(hosts[held]))
        healed = self.get_lease(lease)
        self.assertFalse(healed['degraded'])
        self.assertEqual((False, False),
                         (healed['reservations'][0]['missing_resources'],
                          healed['reservations'][0]['resources_changed']))
        # The failed host is out of reach of new leases.
        error = self.lease('2040-11-01 11:00', '2040-11-01 13:00',
                           status=409)
        self.assertIn('0 are free', error['error_message'])

        self.mark_all_up()
        self.wait_until('the host reservable again',
                        lambda: self.reservable(hosts[held]))
        other = self.lease('2040-11-01 11:00', '2040-11-01 13:00')
        self.assertEqual({held}, self.hosts_of(other))

    def test_lease_is_degraded_until_its_failed_host_recovers(self):
        only = self.enroll()
        lease = self.lease('2040-11-02 10:00', '2040-11-02 12:00')

        self.mark_down(only)

        degraded = self.wait_until(
            'the lease degraded',
            lambda: self.get_lease(lease)['degraded'] and
            self.get_lease(lease))
        self.assertTrue(degraded['reservations'][0]['missing_resources'])
        # It keeps the host: back in service, it is the lease's again.
        self.assertEqual({only['id']}, self.hosts_of(lease))

        self.mark_all_up()
        recovered = self.wait_until(
            'the lease no longer degraded',
            lambda: not self.get_lease(lease)['degraded'] and
            self.get_lease(lease))
        self.assertFalse(recovered['reservations'][0]['missing_resources'])
        self.assertEqual({only['id']}, self.hosts_of(lease))

    def test_replacement_found_later_clears_the_degraded_lease(self):
        first = self.enroll()
        lease = self.lease('2040-11-03 10:00', '2040-11-03 12:00')
        self.mark_down(first)
        self.wait_until('the lease degraded',
                        lambda: self.get_lease(lease)['degraded'])

        second = self.enroll()

        self.wait_until('the lease healed on the new host',
                        lambda: self.hosts_of(lease) == {second['id']})
        self.wait_until('the lease no longer degraded',
                        lambda: not self.get_lease(lease)['degraded'])

    def test_active_reservation_gets_a_replacement(self):
        hosts = {h['id']: h for h in (self.enroll(), self.enroll())}
        lease = self.lease('now', test_hosts.in_minutes(30))
        self.wait_until('the lease active',
                        lambda: self.get_lease(lease)['status'] == 'ACTIVE')
        [held] = self.hosts_of(lease)
        [spare] = set(hosts) - {held}

        self.mark_down(hosts[held])

        self.wait_until('the lease moved to the spare host',
                        lambda: self.hosts_of(lease) == {spare})
        healed = self.get_lease(lease)
        self.assertEqual(('ACTIVE', False), (healed['status'],
                                             healed['degraded']))
        self.assertTrue(healed['reservations'][0]['resources_changed'])
        self.assertEqual(204, self.request(
            'DELETE', '/v1/leases/%s' % lease['id']).status_code)


class HostHealingTest(HostHealingTests, test_hosts.HostsTestCase):
    pass


class MariaDBSplitHostHealingTest(test_hosts.SecondManager,
                                  HostHealingTests, test_hosts.HostsTestCase):
    """Two managers heal at the same time: one of them moves each
    allocation, the other finds it moved (compare-and-swap)."""

    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitHostHealingTest(HostHealingTests,
                                     test_hosts.HostsTestCase):
    backend = 'postgresql'
    topology = 'split'


class NovaNotificationTest(DownHostsFile, test_hosts.HostsTestCase):
    """A versioned service.* notification, as Nova sends it on the message
    bus (tests/integration checks that against the real Nova), makes the
    manager look at host health at once (the periodic check would wait an
    hour)."""

    backend = 'mysql'
    topology = 'split'
    topic = 'test_versioned_notifications_%s' % uuid.uuid4().hex[:8]
    health_options = {'health_check_interval': 3600,
                      'enable_notification_monitor': True,
                      'notification_topics': topic}

    def notify(self, host, event_type, binary='nova-compute'):
        notifier, transport = nova_bus.nova_notifier(
            self.service.transport_url, self.topic,
            publisher_id='nova-compute:%s' % host)
        self.addCleanup(transport.cleanup)
        notifier.info({}, event_type, {
            'nova_object.name': 'ServiceStatusPayload',
            'nova_object.namespace': 'nova',
            'nova_object.version': '1.1',
            'nova_object.data': {'host': host, 'binary': binary,
                                 'disabled': True, 'forced_down': False,
                                 'disabled_reason': 'maintenance'}})

    def reserve_then_fail_one(self, day):
        """A lease of one of two hosts, whose host then fails; (lease,
        failed host, spare host's id)."""
        hosts = {h['id']: h for h in (self.enroll(), self.enroll())}
        lease = self.lease('%s 10:00' % day, '%s 12:00' % day)
        [held] = self.hosts_of(lease)
        [spare] = set(hosts) - {held}
        self.mark_down(hosts[held])
        return lease, hosts[held], spare

    def wait_for_healing_on(self, event_type, lease, failed, spare):
        # Once: the managers listen since before they serve RPC, and a
        # notification still queued would heal the next test too early.
        self.notify(failed['hypervisor_hostname'], event_type)
        self.wait_until('the lease moved to the spare host',
                        lambda: self.hosts_of(lease) == {spare})

    def test_service_update_heals_at_once(self):
        lease, failed, spare = self.reserve_then_fail_one('2040-11-04')
        # Other services' updates are not about hosts.
        self.notify(failed['hypervisor_hostname'], 'service.update',
                    binary='nova-conductor')
        time.sleep(2)
        self.assertEqual({failed['id']}, self.hosts_of(lease))

        self.wait_for_healing_on('service.update', lease, failed, spare)
        self.assertFalse(self.reservable(failed))

    def test_deleted_compute_service_heals_at_once(self):
        lease, failed, spare = self.reserve_then_fail_one('2040-11-05')
        self.wait_for_healing_on('service.delete', lease, failed, spare)
        self.assertFalse(self.reservable(failed))

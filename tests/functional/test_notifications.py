"""Lease notifications reach the message bus with upstream's payload."""

import queue
import uuid

import oslo_messaging as messaging
from oslo_config import cfg

from tests.functional import base
from tests.functional import test_leases


class _Collector:
    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((publisher_id, event_type, payload))


class NotificationTest(base.ServiceTestCase):
    backend = 'mysql'
    topology = 'split'
    topic = 'blazar-test-%s' % uuid.uuid4().hex[:8]
    config = {'oslo_messaging_notifications': {'driver': 'messagingv2',
                                               'topics': topic}}

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        transport = messaging.get_notification_transport(
            conf, url=self.service.transport_url)
        self.collector = _Collector()
        listener = messaging.get_notification_listener(
            transport, [messaging.Target(topic=self.topic)],
            [self.collector], executor='threading')
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

    def next_notification(self):
        return self.collector.received.get(timeout=30)

    def test_create_update_delete(self):
        client = self.client()
        lease = client.lease.create(
            name='noticed', start=test_leases.in_minutes(30),
            end=test_leases.in_minutes(90), reservations=[], events=[],
            before_end=None)
        publisher, event_type, payload = self.next_notification()
        self.assertEqual(('blazar.lease', 'lease.create'),
                         (publisher, event_type))
        self.assertEqual(lease['id'], payload['lease_id'])
        self.assertEqual({'lease_id', 'user_id', 'project_id', 'trust_id',
                          'start_date', 'end_date', 'status', 'reservations',
                          'events', 'name', 'created_at', 'updated_at',
                          'degraded'}, set(payload))
        client.lease.update(lease['id'], name='renamed')
        _, event_type, payload = self.next_notification()
        self.assertEqual(('lease.update', 'renamed'),
                         (event_type, payload['name']))
        client.lease.delete(lease['id'])
        _, event_type, payload = self.next_notification()
        self.assertEqual(('lease.delete', lease['id']),
                         (event_type, payload['lease_id']))

    def test_lease_events_are_announced(self):
        client = self.client()
        lease = client.lease.create(
            name='evented', start=test_leases.in_seconds(1),
            end=test_leases.in_seconds(3), reservations=[], events=[],
            before_end=None)
        seen = []
        while 'lease.event.end_lease' not in seen:
            _, event_type, payload = self.next_notification()
            if payload['lease_id'] == lease['id']:
                seen.append(event_type)
        self.assertEqual(['lease.create', 'lease.event.start_lease',
                          'lease.event.before_end_lease',
                          'lease.event.end_lease'], seen)

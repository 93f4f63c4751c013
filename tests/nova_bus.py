"""Nova's side of the message bus, for tests: notifications sent as Nova
sends them, and notification pools of a test's own.

A listener pool is one RabbitMQ queue, bound to every topic its listeners
want: test managers on a shared bus each need a pool of their own, or
they take each other's notifications. RabbitMQ keeps a pool's queue after
its listeners stop, and every notification would pile up there, so tests
delete it when done.
"""

import os
import tempfile
import uuid

import kombu
from oslo_config import cfg
import oslo_messaging as messaging


def pool_name():
    return 'blazar-test-%s' % uuid.uuid4().hex


def delete_pool_queue(transport_url, pool):
    # kombu names oslo.messaging's rabbit:// scheme amqp://.
    with kombu.Connection('amqp://' + transport_url.split('://', 1)[1]) as bus:
        bus.default_channel.queue_delete(pool)


def nova_notifier(transport_url, topic, publisher_id='nova-compute:test'):
    """A (notifier, transport) pair publishing as Nova does: to Nova's own
    exchange, the one Blazar listens on (a notifier's exchange is its
    control_exchange, which only a configuration file can set before the
    transport reads it). The caller cleans the transport up."""
    with tempfile.TemporaryDirectory() as directory:
        nova_conf = os.path.join(directory, 'nova.conf')
        with open(nova_conf, 'w') as f:
            f.write('[DEFAULT]\ncontrol_exchange = nova\n')
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[nova_conf])
        transport = messaging.get_notification_transport(conf,
                                                         url=transport_url)
    notifier = messaging.Notifier(transport, publisher_id=publisher_id,
                                  driver='messagingv2', topics=[topic])
    return notifier, transport

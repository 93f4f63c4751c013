"""Nova's versioned ``service.*`` notifications, as a cue to look at the
health of the hosts now rather than at the next health check.

Nova sends ``service.update`` when an operator disables, enables, forces
down or brings up a service, and ``service.create`` / ``service.delete``
when one registers or is deleted; the payload (``ServiceStatusPayload``)
names its ``host`` and ``binary``. A nova-compute that merely stops
reporting sends nothing: only the periodic check sees it go down.

A notification only says that some nova-compute service changed: the
health check then asks the inventory about every host, as the periodic
one does, so a lost or reordered notification costs nothing but time.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from blazar import context as blazar_context

LOG = logging.getLogger(__name__)

COMPUTE_BINARY = 'nova-compute'


class ServiceUpdates:

    filter_rule = messaging.NotificationFilter(
        event_type=r'^service\.(create|update|delete)$')

    def __init__(self, exchange, topics, check_health):
        self.targets = [messaging.Target(exchange=exchange, topic=topic)
                        for topic in topics]
        self._check_health = check_health

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        data = (payload or {}).get('nova_object.data') or {}
        if data.get('binary') != COMPUTE_BINARY:
            return messaging.NotificationResult.HANDLED
        LOG.info('Nova sent %s of compute service %s (disabled: %s, '
                 'forced down: %s); looking at host health', event_type,
                 data.get('host'), data.get('disabled'),
                 data.get('forced_down'))
        try:
            self._check_health(blazar_context.admin_context())
        except Exception:
            # The periodic health check catches up; a requeued
            # notification would only fail the same way again.
            LOG.exception('Health check after a %s failed', event_type)
        return messaging.NotificationResult.HANDLED

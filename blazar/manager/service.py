"""The manager service: RPC endpoint, event engine and plugins together."""

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_service import service
from oslo_utils import timeutils

from blazar import context as blazar_context
from blazar import dates
from blazar.db import engine as db
from blazar import exceptions
from blazar.manager import engine
from blazar.manager import leases
from blazar.manager import periodic
from blazar.manager import views
from blazar import notifications
from blazar.plugins import loader
from blazar import rpc
from blazar.rpc import client as rpc_client
from blazar import trusts

LOG = logging.getLogger(__name__)


class AnnouncedLeases:
    """Lease operations that tell the event engines and the notification
    consumers: what the API calls, and what plugins call on their own
    (``ResourcePlugin.notification_endpoints``)."""

    def __init__(self, operations, notifier, events, managers):
        self._operations = operations
        self._notifier = notifier
        self._events = events
        self._managers = managers

    def create(self, context, values):
        lease = self._operations.create(context, values)
        self._announce(context, 'lease.create', lease)
        return lease

    def update(self, context, lease_id, values):
        lease = self._operations.update(context, lease_id, values)
        self._announce(context, 'lease.update', lease)
        return lease

    def delete(self, context, lease_id):
        lease = self._operations.delete(context, lease_id)
        self._notifier.info(context, 'lease.delete',
                            views.notification_payload(lease))

    def _announce(self, context, event_type, lease):
        # This manager looks at once; the others when the cast reaches
        # them (or, were it lost, after their bounded sleep). No event of
        # a lease comes before its start.
        start = dates.parse_wire(lease['start_date'])
        self._events.wake(start)
        if engine.others_may_sleep_past(start, timeutils.utcnow()):
            self._wake_other_managers(context, lease)
        self._notifier.info(context, event_type,
                            views.notification_payload(lease))

    def _wake_other_managers(self, context, lease):
        try:
            self._managers.events_changed(context, lease['start_date'])
        except messaging.MessagingException as error:
            LOG.warning('Could not tell the other managers about lease '
                        '%s: %s', lease['id'], error)


class ManagerEndpoint:
    """What the API may call; every method takes the request context."""

    target = messaging.Target(version=rpc.VERSION)

    def __init__(self, operations, leases, plugins, events):
        self._operations = operations
        self._leases = leases
        self._plugins = plugins
        self._events = events

    @messaging.expected_exceptions(exceptions.BlazarError)
    def list_leases(self, context):
        return self._operations.list(context)

    @messaging.expected_exceptions(exceptions.BlazarError)
    def get_lease(self, context, lease_id):
        return self._operations.get(context, lease_id)

    @messaging.expected_exceptions(exceptions.BlazarError)
    def create_lease(self, context, values):
        return self._leases.create(context, values)

    @messaging.expected_exceptions(exceptions.BlazarError)
    def update_lease(self, context, lease_id, values):
        return self._leases.update(context, lease_id, values)

    @messaging.expected_exceptions(exceptions.BlazarError)
    def delete_lease(self, context, lease_id):
        self._leases.delete(context, lease_id)

    @messaging.expected_exceptions(exceptions.BlazarError)
    def call_plugin(self, context, resource_type, plugin_method, arguments):
        plugin = loader.get(self._plugins, resource_type)
        try:
            function = plugin.rpc_endpoints()[plugin_method]
        except KeyError:
            raise exceptions.InvalidInput(
                'Unknown method %s of %s' % (plugin_method, resource_type))
        return function(context, **arguments)

    def events_changed(self, context, earliest=None):
        """Another manager created or moved events, none earlier than
        ``earliest`` (wire format) if given: look at them."""
        LOG.debug('Told that events from %s on changed', earliest)
        self._events.wake(dates.parse_wire(earliest) if earliest else None)


class ManagerService(service.Service):
    """blazar-manager: serves RPC, runs the event engine and the plugins'
    periodic tasks."""

    def __init__(self, conf, transport):
        super().__init__()
        self.conf = conf
        self.transport = transport
        plugins = loader.load_plugins(conf)
        notifier = notifications.get_notifier(conf)
        lease_trusts = trusts.Trusts(conf)
        self.events = engine.EventEngine(conf, plugins, notifier,
                                         blazar_context.admin_context,
                                         lease_trusts)
        operations = leases.LeaseOperations(conf, plugins, lease_trusts)
        announced = AnnouncedLeases(
            operations, notifier, self.events,
            rpc_client.ManagerClient(conf, transport))
        self.endpoint = ManagerEndpoint(operations, announced, plugins,
                                        self.events)
        self.periodic = periodic.PeriodicTasks(
            [task for plugin in plugins.values()
             for task in plugin.periodic_tasks()],
            blazar_context.admin_context)
        self.notification_endpoints = [
            endpoint for plugin in plugins.values()
            for endpoint in plugin.notification_endpoints(announced)]
        self.rpc_server = None
        self.listener = None

    def start(self):
        super().start()
        self._listen_to_notifications()
        self.rpc_server = messaging.get_rpc_server(
            self.transport, rpc.manager_target(self.conf, self.conf.host),
            [self.endpoint], executor='threading',
            serializer=rpc.ContextSerializer(),
            access_policy=messaging.DefaultRPCAccessPolicy)
        self.rpc_server.start()
        self.events.start()
        self.periodic.start()
        LOG.info('Manager %s serving topic %s', self.conf.host,
                 self.conf.manager.rpc_topic)

    def _listen_to_notifications(self):
        if not self.notification_endpoints:
            return
        targets = {(target.exchange, target.topic): target
                   for endpoint in self.notification_endpoints
                   for target in endpoint.targets}
        # Every manager listens in the same pool, so that each
        # notification reaches one manager, not all of them.
        pool = self.conf.manager.notification_pool
        self.listener = messaging.get_notification_listener(
            messaging.get_notification_transport(self.conf),
            list(targets.values()), self.notification_endpoints,
            executor='threading', pool=pool)
        self.listener.start()
        LOG.info('Listening to notifications on %s as pool %s',
                 ', '.join('%s/%s' % key for key in sorted(targets)), pool)

    def stop(self, graceful=True):
        for server in (self.rpc_server, self.listener):
            if server is not None:
                server.stop()
                server.wait()
        self.periodic.stop()
        self.events.stop(graceful)
        db.dispose()
        super().stop(graceful)

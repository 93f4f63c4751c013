"""Nova's versioned ``instance.create.end`` and ``instance.delete.end``
notifications: leases for servers at their boot (``[virtual:instance]
leases_at_boot``), deleted with their servers.

``boot_leases`` decides from the notification alone; the lease is then
created as an API request would create it, with no Keystone trust (no
user token came with it): Blazar acts on the lease with its own
credentials. The server hears of the outcome in its metadata:
``blazar:lease_id`` (written by the plugin's ``after_create``, as for
any lease of a server), or ``blazar:error`` with the reason (logged
too).

Notifications may come twice: the second one finds the server leased
(``boot_leases.ServerLeased``) and does nothing. The listener's threads
(``[DEFAULT] executor_thread_pool_size``) run this one notification at a
time each: a lease starting later shelves its server before returning,
which takes a few seconds of Nova's time, while other threads go on with
other notifications.

A lease made at a server's boot goes when the server is deleted, so that
the room it holds (for a month, by default) is not lost with the server.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from blazar import context as blazar_context
from blazar import dates
from blazar import exceptions
from blazar.plugins.instances import boot_leases

LOG = logging.getLogger(__name__)

# Nova refuses longer metadata values.
MAX_METADATA_VALUE = 255
INTERNAL_ERROR = ('Blazar could not make a lease for this server: an '
                  'internal error (see the blazar-manager log)')


class ServerBoots:

    filter_rule = messaging.NotificationFilter(
        event_type=r'^instance\.create\.end$')

    def __init__(self, options, leases, resources):
        self.targets = _targets(options)
        self._options = options
        self._leases = leases
        self._resources = resources

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        try:
            server = boot_leases.booted_server(payload)
        except (KeyError, TypeError) as error:
            LOG.warning('An instance.create.end notification from %s '
                        'without the server\'s uuid, project, user or '
                        'flavor (%r missing); ignored', publisher_id, error)
            return messaging.NotificationResult.HANDLED
        self._lease(server)
        return messaging.NotificationResult.HANDLED

    def _lease(self, server):
        try:
            values = boot_leases.lease_values(
                server, dates.utcnow(), self._options.default_lease_projects,
                self._options.default_lease_duration)
            if values is None:
                return
            lease = self._leases.create(blazar_context.admin_context(),
                                        values)
        except boot_leases.ServerLeased as error:
            LOG.info('No lease at boot: %s', error)
            return
        except exceptions.BlazarError as error:
            self._report(server, str(error))
            return
        except Exception:
            LOG.exception('Making a lease for server %s at its boot failed',
                          server.id)
            self._report(server, INTERNAL_ERROR)
            return
        LOG.info('Lease %s (%s to %s) made for server %s at its boot',
                 lease['id'], lease['start_date'], lease['end_date'],
                 server.id)

    def _report(self, server, reason):
        LOG.warning('No lease for server %s (project %s) at its boot: %s',
                    server.id, server.project_id, reason)
        try:
            self._resources.label_server(
                server.id, {boot_leases.ERROR: reason[:MAX_METADATA_VALUE]})
        except exceptions.BlazarError as error:
            LOG.warning('Could not write the reason on server %s: %s',
                        server.id, error)


class ServerDeletions:
    """The lease made at a server's boot deleted with the server: its end
    (or cancellation) finds nothing left to reclaim in Nova."""

    filter_rule = messaging.NotificationFilter(
        event_type=r'^instance\.delete\.end$')

    def __init__(self, options, leases, boot_lease_of):
        self.targets = _targets(options)
        self._leases = leases
        self._boot_lease_of = boot_lease_of

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        try:
            server_id = payload['nova_object.data']['uuid']
        except (KeyError, TypeError) as error:
            LOG.warning('An instance.delete.end notification from %s '
                        'without the server\'s uuid (%r missing); ignored',
                        publisher_id, error)
            return messaging.NotificationResult.HANDLED
        context = blazar_context.admin_context()
        lease_id = self._boot_lease_of(context, server_id)
        if lease_id is None:
            return messaging.NotificationResult.HANDLED
        try:
            self._leases.delete(context, lease_id)
        except exceptions.BlazarError as error:
            # Gone already, or starting or ending right now (the end
            # finds the server gone, and a failed start leaves the lease
            # in ERROR for an operator to delete).
            LOG.warning('Lease %s of deleted server %s stays: %s', lease_id,
                        server_id, error)
            return messaging.NotificationResult.HANDLED
        LOG.info('Lease %s deleted with its server %s', lease_id, server_id)
        return messaging.NotificationResult.HANDLED


def _targets(options):
    return [messaging.Target(exchange=options.notification_exchange,
                             topic=topic)
            for topic in options.notification_topics]

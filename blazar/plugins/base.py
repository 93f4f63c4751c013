"""The contract between the manager and a resource plugin.

A plugin owns one resource type: its request fields, its tables, its
allocation search and its calls to other services. The manager calls
the database-side methods inside the operation's single transaction
(``session``), and the ``on_*`` hooks outside any transaction, from the
event engine; those hooks must be idempotent, since an event interrupted
by a crash is run again.
"""

import abc

import sqlalchemy as sa

from blazar import exceptions


class ReservationRequestSchema(abc.ABC):
    """Validates a reservation request at the API edge (no I/O)."""

    resource_type = None
    # Every field a request of this type may hold (besides resource_type).
    fields = ()

    def reject_unknown(self, values):
        unknown = sorted(key for key in values if key not in self.fields)
        if unknown:
            raise exceptions.InvalidInput(
                'Unknown field(s) of a %s reservation: %s'
                % (self.resource_type, ', '.join(unknown)))

    @abc.abstractmethod
    def validate_create(self, values):
        """Return the normalised request or raise ``InvalidInput``."""

    @abc.abstractmethod
    def validate_update(self, values):
        """Same, for the fields of a reservation update."""


class ResourcePlugin(abc.ABC):
    resource_type = None

    def __init__(self, conf):
        self.conf = conf

    def prepare(self, context, lease_values, request):
        """The reservation request of a lease about to be created, completed
        with what other services know (e.g. a server's size from Nova).
        Called before the transaction; raises ``InvalidInput``,
        ``NotFound`` or ``NotAuthorized`` for a request that cannot be."""
        return request

    @abc.abstractmethod
    def reserve(self, session, lease, reservation, values):
        """Claim capacity for ``reservation`` over the lease's window.

        Writes the plugin's rows in ``session``: the row describing the
        reservation takes ``reservation.resource_id`` as its id (or the
        plugin sets ``resource_id`` to its own resource's id). Returns
        the reservation's fields in lease views, as ``details`` would,
        without reading them back. Raises ``NotEnoughResources`` when the
        capacity is not free, ``ClaimConflict`` when a concurrent claim won
        the race.
        """

    @abc.abstractmethod
    def update(self, session, lease, reservation, values):
        """Re-claim for the lease's (new) window and ``values``."""

    @abc.abstractmethod
    def release(self, session, reservation):
        """Drop the reservation's claims (lease deleted or ended)."""

    @abc.abstractmethod
    def details(self, session, reservations):
        """Map each reservation id to the plugin's fields in lease views."""

    def on_start(self, context, lease, reservation):
        """Hand the capacity over (e.g. to Nova) when the lease starts."""

    def before_end(self, context, lease, reservation):
        """Warn or prepare shortly before the end."""

    def on_end(self, context, lease, reservation):
        """Take the capacity back when the lease ends or is deleted."""

    def on_cancel(self, context, lease, reservation):
        """Undo what ``after_create`` did outside the service, for a lease
        deleted before it started; outside any transaction."""

    def after_create(self, context, lease, reservation):
        """Act outside the service on a committed new lease (e.g. shelve a
        server until the lease starts). Called outside any transaction; a
        failure is logged, the lease stands."""

    def after_update(self, context, lease, reservation):
        """Act outside the service on a committed update of the lease
        (e.g. hand over the hosts an active reservation grew by). Called
        outside any transaction; a failure is logged, the update stands."""

    def leases_sharing_resources(self, session, reservations, lease_ids):
        """Those of ``lease_ids`` holding a resource that one of
        ``reservations`` (this plugin's, of one lease) holds too.

        The event engine asks before starting a lease while the end of
        another lease due no later is unfinished: the start waits for the
        end of every lease returned here. The default cannot tell and
        returns them all, which is safe (ends always run before starts
        due at or after them) but lets one slow end hold back every start
        after it; plugins should say exactly which leases share resources.
        """
        return set(lease_ids)

    def notification_endpoints(self, leases):
        """oslo.messaging notification endpoints (with a ``filter_rule``)
        for notifications of other services, each with ``targets``: the
        oslo.messaging Targets (exchange and topic) to listen on. The
        managers listen as one pool: each notification reaches one of
        them. ``leases.create(context, values)`` creates a lease from
        ``values`` shaped as the API passes them to the manager (dates in
        the wire format, ``user_id`` and ``project_id`` of the owner),
        and announces it as an API request would; it raises the domain
        errors of a refused lease."""
        return []

    def plugins_loaded(self, plugins):
        """Called once every enabled plugin is loaded, with all of them
        (resource type -> plugin), for a plugin that works with others
        (the host plugin's health check heals every plugin's
        reservations)."""

    def heal(self, session, now, until):
        """Reservations of this plugin that hold resources found failed
        (for hosts: no longer ``reservable``) between ``now`` and
        ``until`` (None: no limit): move what can be moved to healthy
        resources, with the same claims as a reservation. Called inside
        the health check's transaction (``ClaimConflict`` runs it all
        again); returns functions to call with a context once it is
        committed, to hand the replacements of active reservations over
        outside the service."""
        return []

    def rpc_endpoints(self):
        """Plugin-specific RPC methods, by name (e.g. host enrollment)."""
        return {}

    def periodic_tasks(self):
        """``(seconds, function)`` pairs the manager runs at those periods,
        each function called with an admin context: housekeeping such as
        repairing drift in another service. Every manager runs them, so
        they must be idempotent."""
        return []


def details_of(session, model, reservations, view):
    """``details`` for a plugin whose table ``model`` holds one row per
    reservation (a ``reservation_id`` column): ``view`` of each row."""
    rows = session.scalars(sa.select(model).where(
        model.reservation_id.in_(sorted(r.id for r in reservations))))
    return {row.reservation_id: view(row) for row in rows}

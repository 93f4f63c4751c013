"""Queries and writes on enrolled hosts, their extra capabilities and the
property catalogue. Functions take the caller's session."""

import sqlalchemy as sa

from blazar.db import models as db_models
from blazar import exceptions
from blazar.plugins.hosts import models
from blazar.plugins import query
from blazar import states

ComputeHost = models.ComputeHost
ExtraCapability = models.ExtraCapability
HostAllocation = models.HostAllocation
HostReservation = models.HostReservation
ResourceProperty = models.ResourceProperty

RESOURCE_TYPE = 'physical:host'


def host_not_found(host_id):
    return exceptions.NotFound(object={'host_id': str(host_id)})


def get_host(session, host_id):
    """The host with id ``host_id`` (digits, as in URLs) or ``NotFound``."""
    number = _host_number(host_id)
    host = session.get(ComputeHost, number) if number is not None else None
    if host is None:
        raise host_not_found(host_id)
    return host


def _host_number(host_id):
    text = str(host_id)
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return None


def list_hosts(session, host_ids=None):
    query_ = sa.select(ComputeHost).order_by(ComputeHost.id)
    if host_ids is not None:
        query_ = query_.where(ComputeHost.id.in_(sorted(host_ids)))
    return session.scalars(query_).all()


def capabilities_by_host(session, host_ids):
    """host id -> {name: value}, in one query."""
    rows = session.execute(
        sa.select(ExtraCapability.computehost_id,
                  ResourceProperty.property_name,
                  ExtraCapability.capability_value)
        .join(ResourceProperty,
              ResourceProperty.id == ExtraCapability.property_id)
        .where(ExtraCapability.computehost_id.in_(sorted(host_ids))))
    found = {host_id: {} for host_id in host_ids}
    for host_id, name, value in rows:
        found[host_id][name] = value
    return found


def add_host(session, columns):
    exists = session.scalar(sa.select(ComputeHost.id).where(
        ComputeHost.hypervisor_hostname == columns['hypervisor_hostname']))
    if exists is not None:
        raise exceptions.Conflict(
            reason='host %s is already enrolled (id %s)'
            % (columns['hypervisor_hostname'], exists))
    host = ComputeHost(**columns)
    session.add(host)
    session.flush()
    return host


def set_capabilities(session, host_id, capabilities):
    """Create or overwrite ``capabilities`` (name -> text) of a host,
    adding names to the property catalogue as needed."""
    if not capabilities:
        return
    ids = _property_ids_creating(session, capabilities)
    current = {row.property_id: row for row in session.scalars(
        sa.select(ExtraCapability).where(
            ExtraCapability.computehost_id == host_id))}
    for name, value in capabilities.items():
        row = current.get(ids[name])
        if row is None:
            row = ExtraCapability(computehost_id=host_id,
                                  property_id=ids[name])
            session.add(row)
        row.capability_value = value
        row.numeric_value = query.numeric(value)
    session.flush()


def _property_ids_creating(session, names):
    rows = session.execute(
        sa.select(ResourceProperty.property_name, ResourceProperty.id)
        .where(ResourceProperty.resource_type == RESOURCE_TYPE,
               ResourceProperty.property_name.in_(sorted(names))))
    ids = dict(rows.all())
    for name in sorted(set(names) - set(ids)):
        prop = ResourceProperty(resource_type=RESOURCE_TYPE,
                                property_name=name)
        session.add(prop)
        session.flush()
        ids[name] = prop.id
    return ids


def delete_host(session, host):
    """Delete an unreserved host and the allocations of ended leases;
    ``Conflict`` if it is reserved or was claimed since it was read."""
    if is_reserved(session, host.id):
        raise reserved(host.id)
    session.execute(sa.delete(HostAllocation)
                    .where(HostAllocation.compute_host_id == host.id)
                    .execution_options(synchronize_session=False))
    session.execute(sa.delete(ExtraCapability)
                    .where(ExtraCapability.computehost_id == host.id)
                    .execution_options(synchronize_session=False))
    result = session.execute(
        sa.delete(ComputeHost)
        .where(ComputeHost.id == host.id,
               ComputeHost.generation == host.generation)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise reserved(host.id)


def reserved(host_id):
    return exceptions.Conflict(
        "Can't delete host %s. The host is reserved." % host_id)


def is_reserved(session, host_id):
    """Whether a lease that has not terminated holds the host."""
    return session.scalar(sa.select(sa.exists().where(
        HostAllocation.compute_host_id == host_id,
        HostAllocation.reservation_id == db_models.Reservation.id,
        db_models.Reservation.lease_id == db_models.Lease.id,
        db_models.Lease.status != states.TERMINATED)))


def leases_sharing_hosts(session, reservation_ids, lease_ids):
    """Those of ``lease_ids`` holding a host that one of
    ``reservation_ids`` holds too (any resource type, any time)."""
    Reservation = db_models.Reservation
    held = (sa.select(HostAllocation.compute_host_id)
            .where(HostAllocation.reservation_id.in_(sorted(reservation_ids)))
            .scalar_subquery())
    return set(session.scalars(
        sa.select(Reservation.lease_id).distinct()
        .join(HostAllocation, HostAllocation.reservation_id == Reservation.id)
        .where(Reservation.lease_id.in_(sorted(lease_ids)),
               HostAllocation.compute_host_id.in_(held))))


# Instance reservations hold slots on hosts (allocation rows) and select
# the hosts by their own ``resource_properties``. The instance plugin
# builds on this one, so its table is named here rather than imported.
_instance_reservations = sa.table(
    'instance_reservations', sa.column('reservation_id'),
    sa.column('resource_properties'))


def live_properties_of_host(session, host_id, now):
    """Property names used by the filters of reservations (host and
    instance reservations alike) that hold the host and have not ended."""
    held = sa.and_(HostAllocation.compute_host_id == host_id,
                   HostAllocation.end_date > now)
    hosts = (
        sa.select(HostReservation.hypervisor_properties,
                  HostReservation.resource_properties)
        .join(HostAllocation,
              HostAllocation.reservation_id == HostReservation.reservation_id)
        .where(held))
    instances = (
        sa.select(sa.null(), _instance_reservations.c.resource_properties)
        .join(HostAllocation, HostAllocation.reservation_id
              == _instance_reservations.c.reservation_id)
        .where(held))
    rows = session.execute(sa.union_all(hosts, instances))
    names = set()
    for row in rows:
        for text in row:
            names |= query.fields(query.parse(text))
    return names


# --- views over allocations and properties --------------------------------

def allocations(session, host_ids, lease_id=None, reservation_id=None,
                now=None):
    """host id -> [(reservation id, lease id, start, end, slots)], every
    host of ``host_ids`` present, each reservation once per host with the
    instance slots it holds there (0 for a whole host). Without filters,
    only leases ending at or after ``now``."""
    Lease, Reservation = db_models.Lease, db_models.Reservation
    query_ = (sa.select(HostAllocation.compute_host_id, Reservation.id,
                        Reservation.lease_id, Lease.start_date,
                        Lease.end_date,
                        sa.func.sum(HostAllocation.slots))
              .join(Reservation,
                    Reservation.id == HostAllocation.reservation_id)
              .join(Lease, Lease.id == Reservation.lease_id)
              .where(HostAllocation.compute_host_id.in_(sorted(host_ids)))
              .group_by(HostAllocation.compute_host_id, Reservation.id,
                        Reservation.lease_id, Lease.start_date,
                        Lease.end_date)
              .order_by(HostAllocation.compute_host_id, Lease.start_date,
                        Reservation.id))
    if lease_id is not None:
        query_ = query_.where(Reservation.lease_id == lease_id)
    if reservation_id is not None:
        query_ = query_.where(Reservation.id == reservation_id)
    if lease_id is None and reservation_id is None:
        query_ = query_.where(Lease.end_date >= now)
    found = {host_id: [] for host_id in host_ids}
    for host_id, *reservation, slots in session.execute(query_):
        # MariaDB sums integers into decimals.
        found[host_id].append((*reservation, int(slots)))
    return found


def properties(session, include_private):
    """[(name, private, sorted values)] of properties some host has."""
    query_ = (sa.select(ResourceProperty.property_name,
                        ResourceProperty.private,
                        ExtraCapability.capability_value)
              .distinct()
              .join(ExtraCapability,
                    ExtraCapability.property_id == ResourceProperty.id)
              .where(ResourceProperty.resource_type == RESOURCE_TYPE))
    if not include_private:
        query_ = query_.where(ResourceProperty.private == sa.false())
    found = {}
    for name, private, value in session.execute(query_):
        found.setdefault((name, bool(private)), set()).add(value)
    return [(name, private, sorted(values))
            for (name, private), values in sorted(found.items())]


def get_property(session, name):
    prop = session.scalars(sa.select(ResourceProperty).where(
        ResourceProperty.resource_type == RESOURCE_TYPE,
        ResourceProperty.property_name == name)).first()
    if prop is None:
        raise exceptions.NotFound(object={'property_name': name})
    return prop

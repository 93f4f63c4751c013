"""Leases for servers at their boot, decided from Nova's versioned
``instance.create.end`` notification (no I/O here).

A server booted with the metadata ``blazar:lease_end`` (and optionally
``blazar:lease_start``, default now, and ``blazar:lease_name``) gets a
lease of its own; one without, in a project of ``[virtual:instance]
default_lease_projects``, gets a default lease from now for
``default_lease_duration`` seconds. Either is a ``server_id`` reservation
of one slot of the server's flavor, owned by the server's project and
user. Dates are read as the API reads them (``blazar.dates``).
"""

import dataclasses
import datetime

from blazar import dates
from blazar import exceptions
from blazar import lease_rules
from blazar.plugins.instances import allocation
from blazar.plugins.instances import options
from blazar.plugins.instances import schema

# What the user writes on the server at boot.
LEASE_START = 'blazar:lease_start'
LEASE_END = 'blazar:lease_end'
LEASE_NAME = 'blazar:lease_name'
LEASE_KEYS = (LEASE_START, LEASE_END, LEASE_NAME)
# What Blazar writes back: the lease made, or why none was.
LEASE_ID = 'blazar:lease_id'
ERROR = 'blazar:error'
# Servers of an instance reservation's flavor live under its lease.
RESERVATION_SPEC = 'aggregate_instance_extra_specs:reservation'


class ServerLeased(exceptions.Conflict):
    """The server has a lease already (a duplicate notification, or a
    lease made for it otherwise): it gets no other."""

    msg_fmt = 'Server %(server_id)s has a lease already'


@dataclasses.dataclass(frozen=True)
class BootedServer:
    id: str
    project_id: str
    user_id: str
    # nova-compute's host (the enrolled host's service_name), if any.
    host: str
    size: allocation.Size
    metadata: dict
    # The reservation whose flavor the server has, if any.
    reservation_id: str = None


def booted_server(payload):
    """The server of an ``instance.create.end`` payload (Nova's
    InstanceCreatePayload); ``KeyError``/``TypeError`` if it is not
    one."""
    data = payload['nova_object.data']
    flavor = data['flavor']['nova_object.data']
    return BootedServer(
        id=data['uuid'], project_id=data['tenant_id'],
        user_id=data['user_id'], host=data.get('host'),
        size=allocation.Size(flavor['vcpus'], flavor['memory_mb'],
                             flavor['root_gb']),
        metadata=dict(data.get('metadata') or {}),
        reservation_id=(flavor.get('extra_specs') or {}).get(
            RESERVATION_SPEC))


def lease_values(server, now, default_projects, default_duration):
    """The lease to create for ``server`` (as the API would pass it to
    the manager), or ``None`` if it gets none. Raises ``InvalidInput``,
    naming the metadata key, when its metadata asks for a lease that
    cannot be."""
    asked = [key for key in LEASE_KEYS if key in server.metadata]
    if server.reservation_id is not None:
        if asked:
            raise exceptions.InvalidInput(
                '%s: the server runs in a slot of reservation %s, under '
                'that lease already' % (asked[0], server.reservation_id))
        return None
    if asked:
        start, end, name = _chosen(server.metadata, now)
    elif _gets_default_lease(server.project_id, default_projects):
        start = now
        end = now + datetime.timedelta(seconds=default_duration)
        name = None
    else:
        return None
    return {'name': name or 'server-%s' % server.id,
            'start_date': dates.to_wire(start),
            'end_date': dates.to_wire(end),
            'before_end_date': None, 'before_end_webhook': None,
            'user_id': server.user_id, 'project_id': server.project_id,
            'reservations': [server_request(server)]}


def server_request(server):
    """One slot of the server's size, for the server itself; the host it
    booted on marks a request made at boot (``schema.BOOTED_ON``)."""
    return {'resource_type': schema.RESOURCE_TYPE,
            schema.SERVER_ID: server.id,
            'vcpus': server.size.vcpus, 'memory_mb': server.size.memory_mb,
            'disk_gb': server.size.disk_gb, 'amount': 1, 'affinity': None,
            'resource_properties': '', schema.BOOTED_ON: server.host}


def _chosen(metadata, now):
    if LEASE_END not in metadata:
        raise exceptions.InvalidInput(
            '%s is missing: a lease chosen at boot needs its end'
            % LEASE_END)
    start = _date(metadata, LEASE_START, now)
    end = _date(metadata, LEASE_END, now)
    name = metadata.get(LEASE_NAME)
    try:
        if name is not None:
            lease_rules.check_name(name)
        lease_rules.check_window(start, end, now)
    except exceptions.InvalidInput as error:
        raise exceptions.InvalidInput('%s: %s' % (
            ', '.join(k for k in LEASE_KEYS if k in metadata), error))
    return start, end, name


def _date(metadata, key, now):
    value = metadata.get(key, dates.NOW)
    if value == dates.NOW:
        return now
    try:
        return dates.parse(value.strip())
    except exceptions.InvalidDate as error:
        raise exceptions.InvalidInput('%s: %s' % (key, error))


def _gets_default_lease(project_id, default_projects):
    return (options.ALL_PROJECTS in default_projects or
            project_id in default_projects)

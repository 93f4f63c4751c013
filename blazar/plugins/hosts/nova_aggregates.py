"""Nova host aggregates as the host plugin uses them.

Enrolled hosts wait in the freepool aggregate; a host reservation moves its
hosts into an aggregate named by the reservation id (availability zone
``[physical:host] blazar_az_prefix`` + id, metadata ``blazar:owner`` = the
lease's project) while it is active. The scheduler filter
(``blazar.nova.filter``) reads exactly this layout.

Every function is idempotent, so an event that crashed half-way can simply
run again: asking for what already holds is a no-op, and a conflict with a
concurrent caller doing the same thing counts as success. Hosts are always
added to their new aggregate before they leave the old one, so a host is
never outside both (it is briefly in both, which the filter treats like
either: no ordinary boots, reservation boots only for the owner).
"""

from novaclient import exceptions as nova_exc
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def find(nova, name):
    """The aggregate called ``name``, or None (Nova names are unique)."""
    for aggregate in nova.aggregates.list():
        if aggregate.name == name:
            return aggregate
    return None


def ensure(nova, name, zone=None, metadata=None):
    """The aggregate ``name``, created if missing, with ``metadata`` set."""
    aggregate = find(nova, name)
    if aggregate is None:
        try:
            aggregate = nova.aggregates.create(name, zone)
            LOG.info('Created aggregate %s (zone %s)', name, zone or '-')
        except nova_exc.Conflict:
            aggregate = find(nova, name)  # created meanwhile by another run
            if aggregate is None:
                raise
    wanted = {key: value for key, value in (metadata or {}).items()
              if aggregate.metadata.get(key) != value}
    if wanted:
        aggregate = nova.aggregates.set_metadata(aggregate, wanted)
    return aggregate


def add_host(nova, aggregate, host):
    """``aggregate`` with ``host`` among its hosts."""
    if host in aggregate.hosts:
        return aggregate
    try:
        return nova.aggregates.add_host(aggregate, host)
    except nova_exc.Conflict:
        current = nova.aggregates.get(aggregate.id)
        if host in current.hosts:
            return current
        raise


def remove_host(nova, aggregate, host):
    """``aggregate`` without ``host``."""
    if host not in aggregate.hosts:
        return aggregate
    try:
        return nova.aggregates.remove_host(aggregate, host)
    except nova_exc.NotFound:
        return nova.aggregates.get(aggregate.id)


def move_host(nova, host, source, target):
    """Move ``host`` from ``source`` to ``target`` (either may be None);
    returns both aggregates as they are now."""
    if target is not None:
        target = add_host(nova, target, host)
    if source is not None:
        source = remove_host(nova, source, host)
    return source, target


def delete(nova, name):
    """Delete the aggregate ``name`` (with the hosts still in it), if any."""
    aggregate = find(nova, name)
    if aggregate is None:
        return
    for host in aggregate.hosts:
        aggregate = remove_host(nova, aggregate, host)
    try:
        nova.aggregates.delete(aggregate)
        LOG.info('Deleted aggregate %s', name)
    except nova_exc.NotFound:
        pass


def membership(aggregates):
    """host -> names of its aggregates among ``aggregates``."""
    found = {}
    for aggregate in aggregates:
        for host in aggregate.hosts:
            found.setdefault(host, set()).add(aggregate.name)
    return found

"""A server under a lease, in Nova: its size, shelving it until the lease
starts, unshelving it onto the reserved host (or, if the lease is deleted
before it started, wherever Nova schedules it).

Nova lets a shelved server be offloaded only once shelving is over, and
unshelved onto a chosen host (``host``, microversion 2.91) only once
offloaded; each function waits for the state it needs and skips what is
done already, so that a retried step converges.
"""

import time

from novaclient import exceptions as nova_exc

from blazar import exceptions
from blazar.plugins.hosts import nova_inventory
from blazar.plugins.instances import allocation

# 2.91: unshelve takes a destination host.
UNSHELVE_TO_HOST_MICROVERSION = '2.91'
SHELVED = 'SHELVED'
OFFLOADED = 'SHELVED_OFFLOADED'
TASK_STATE = 'OS-EXT-STS:task_state'
HOST = 'OS-EXT-SRV-ATTR:host'


def size(nova, server_id, project_id, is_admin):
    """The size of the server's flavor (embedded in the server since
    microversion 2.47), if the server is ``project_id``'s or the caller
    an admin."""
    try:
        server = nova.servers.get(server_id)
    except nova_exc.NotFound:
        raise exceptions.NotFound(object='server_id %s' % server_id)
    if server.tenant_id != project_id and not is_admin:
        raise exceptions.NotAuthorized(
            'Server %s belongs to another project; only its own project or '
            'an admin may put it under a lease' % server_id)
    flavor = server.flavor
    return allocation.Size(flavor['vcpus'], flavor['ram'], flavor['disk'])


def offload(nova, server_id, timeout):
    """Shelve the server if it runs, then offload it from its host."""
    server = _settled(nova, server_id, timeout)
    if server.status not in (SHELVED, OFFLOADED):
        nova.servers.shelve(server_id)
        server = _settled(nova, server_id, timeout,
                          wanted=(SHELVED, OFFLOADED))
    if server.status == SHELVED:
        nova.servers.shelve_offload(server_id)
        _settled(nova, server_id, timeout, wanted=(OFFLOADED,))


def unshelve_onto(nova_at_2_91, server_id, host, timeout):
    """The server running on ``host``: offloaded from wherever it is
    (a lease starting at once finds it running elsewhere), unshelved
    there, and waited for."""
    server = _settled(nova_at_2_91, server_id, timeout)
    if server.status == 'ACTIVE' and getattr(server, HOST, None) == host:
        return
    offload(nova_at_2_91, server_id, timeout)
    _unshelve(nova_at_2_91, server_id, timeout, 'onto %s' % host, host=host)


def give_back(nova, server_id, timeout):
    """The shelved server of a lease that never started, running again
    wherever Nova schedules it; one running already, or gone, stays so."""
    try:
        server = _settled(nova, server_id, timeout)
    except nova_exc.NotFound:
        return False
    if server.status not in (SHELVED, OFFLOADED):
        return False
    _unshelve(nova, server_id, timeout, 'where Nova schedules it')
    return True


def _unshelve(nova, server_id, timeout, where, **host):
    nova.servers.unshelve(server_id, **host)
    # Nova answers at once and schedules later: a refusal (no room, or a
    # filter) leaves the server offloaded, and the step is to be tried
    # again.
    server = _settled(nova, server_id, timeout)
    if server.status != 'ACTIVE':
        raise exceptions.ServiceUnavailable(
            reason='Nova did not unshelve server %s %s: it is %s (%s)'
            % (server_id, where, server.status,
               getattr(server, 'fault', {}).get('message', 'no fault')))


def _settled(nova, server_id, timeout, wanted=None):
    """The server once no task runs on it (and in a ``wanted`` status)."""
    deadline = time.monotonic() + timeout
    while True:
        server = nova.servers.get(server_id)
        if getattr(server, TASK_STATE, None) is None and (
                wanted is None or server.status in wanted):
            return server
        if server.status == 'ERROR':
            raise exceptions.Conflict(
                reason='server %s is in ERROR' % server_id)
        if time.monotonic() > deadline:
            raise exceptions.ServiceUnavailable(
                reason='Nova left server %s %s (task %s) for %d s' % (
                    server_id, server.status,
                    getattr(server, TASK_STATE, None), timeout))
        time.sleep(nova_inventory.DELETION_POLL_INTERVAL)

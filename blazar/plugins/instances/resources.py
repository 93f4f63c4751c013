"""What an instance reservation makes outside Blazar while it is active.

Chosen by the host plugin's ``[physical:host] inventory``, since the
hosts are that inventory's:

* ``static``: nothing outside Blazar; the books are all there is;
* ``nova``: a flavor, a server group, an aggregate and Placement
  inventory in Nova (``blazar.plugins.instances.nova_resources``,
  imported only when chosen).

``hand_over`` and ``take_back`` may run again after a crash (the event
engine retries), and ``hand_over`` again when an active reservation
grows or when ``observe`` shows that what it made drifted from the books
(the plugin's periodic reconcile): both converge on the state the books
describe.
"""

import abc
import dataclasses
import importlib

from oslo_log import log as logging

from blazar import exceptions
from blazar.plugins.hosts import options as host_options

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Placement:
    """Slots a reservation holds on one host."""

    hypervisor_hostname: str
    hypervisor_id: str
    service_name: str
    slots: int


def placement_of(host, slots):
    """``Placement`` of ``slots`` on the enrolled ``host``."""
    return Placement(host.hypervisor_hostname, host.hypervisor_id,
                     host.service_name, slots)


@dataclasses.dataclass(frozen=True)
class Seen:
    """What the outside holds for some active reservations, each by
    reservation id: those whose flavor exists, the service hosts in each
    aggregate (none listed: no aggregate), and per hypervisor hostname the
    units of each reservation's slots offered there."""

    flavors: frozenset
    members: dict
    slots: dict


@dataclasses.dataclass(frozen=True)
class Made:
    """Ids of what ``hand_over`` made, for the reservation's view."""

    flavor_id: str = None
    aggregate_id: int = None
    server_group_id: str = None


class Resources(abc.ABC):

    # Whether what ``hand_over`` makes lives outside Blazar, where it may
    # drift from the books (``observe``).
    may_drift = False

    def __init__(self, conf):
        self.conf = conf

    def capacities(self, hypervisor_ids):
        """hypervisor id -> ``allocation.Size`` the hosts can give instance
        reservations, for those the inventory knows better than the
        enrolled capacity times the configured ratios."""
        return {}

    def server_size(self, server_id, project_id, is_admin):
        """``allocation.Size`` of the flavor of the server ``server_id``,
        which must be ``project_id``'s unless ``is_admin``."""
        raise exceptions.InvalidInput(
            'A lease for an existing server (server_id %s) needs the Nova '
            'inventory ([physical:host] inventory = nova); the static '
            'inventory has no servers' % server_id)

    def shelve(self, server_id):
        """Shelve (and offload) the server until its lease starts."""

    def label_server(self, server_id, metadata):
        """Add ``metadata`` to the server's (what Blazar did at its
        boot)."""

    def give_back_server(self, reservation):
        """The server of a reservation that never started running again,
        unshelved wherever Nova schedules it, with nothing of a failed
        start left; never reclaimed."""

    @abc.abstractmethod
    def hand_over(self, context, lease, reservation, placements):
        """Let the lease's project boot the reserved servers; ``Made``."""

    @abc.abstractmethod
    def take_back(self, context, lease, reservation, placements):
        """Remove the servers and everything ``hand_over`` made."""

    def slots_in_use(self, reservation, placements):
        """hypervisor hostname -> how many of the active reservation's
        slots on those hosts servers use (none: no servers)."""
        return {}

    @abc.abstractmethod
    def drop_hosts(self, context, lease, reservation, placements):
        """Take back from an active reservation the hosts of
        ``placements`` (failed hosts whose slots moved to others)."""

    def observe(self, reservation_ids):
        """``Seen`` of the active reservations ``reservation_ids``, with
        a few reads whatever their number (only if ``may_drift``)."""
        raise NotImplementedError()


class StaticResources(Resources):
    """Hosts described by the administrator: nothing outside Blazar."""

    def hand_over(self, context, lease, reservation, placements):
        self._log('starts', reservation, placements)
        return Made()

    def take_back(self, context, lease, reservation, placements):
        self._log('ends', reservation, placements)

    def drop_hosts(self, context, lease, reservation, placements):
        self._log('leaves failed hosts', reservation, placements)

    def label_server(self, server_id, metadata):
        LOG.info('Static inventory: server %s is not in Nova, not '
                 'labelled %s', server_id, metadata)

    @staticmethod
    def _log(what, reservation, placements):
        LOG.info('Static inventory: instance reservation %s %s with slots '
                 '%s; nothing to do outside Blazar', reservation['id'], what,
                 ', '.join('%s x%d' % (p.hypervisor_hostname, p.slots)
                           for p in placements) or '-')


def load(conf):
    """The resources of the inventory ``[physical:host] inventory``."""
    host_options.register_opts(conf)
    if conf[host_options.GROUP].inventory == host_options.STATIC:
        return StaticResources(conf)
    try:
        module = importlib.import_module(
            'blazar.plugins.instances.nova_resources')
    except ImportError as error:
        raise exceptions.BlazarError(
            'Instance reservations on the Nova inventory need '
            'blazar.plugins.instances.nova_resources, which cannot be '
            'imported: %s' % error)
    return module.NovaResources(conf)

"""Where hosts come from, and what a lease does to them outside Blazar.

The host plugin keeps the books (enrolled hosts, allocations); an
``Inventory`` is its link to the world the hosts live in. It is chosen by
``[physical:host] inventory``:

* ``static``: hosts are described entirely by the enrollment request and
  leases touch nothing outside Blazar;
* ``nova``: hosts are Nova hypervisors; ``NovaInventory`` in
  ``blazar.plugins.hosts.nova_inventory``, imported only when chosen.

Every hook may run again after a crash (the event engine retries), so an
implementation must be idempotent.
"""

import abc
import dataclasses
import importlib

from oslo_log import log as logging

from blazar import exceptions
from blazar.plugins.hosts import options

LOG = logging.getLogger(__name__)

# Hosts columns the enrollment may fill (everything else is Blazar's).
DESCRIBED_COLUMNS = ('hypervisor_id', 'hypervisor_hostname', 'service_name',
                     'vcpus', 'memory_mb', 'local_gb', 'cpu_info',
                     'hypervisor_type', 'hypervisor_version',
                     'availability_zone')


@dataclasses.dataclass
class HostDescription:
    """A host to enroll: values of ``DESCRIBED_COLUMNS`` (at least
    ``hypervisor_hostname``, ``vcpus``, ``memory_mb``, ``local_gb``) and
    its extra capabilities (name -> text)."""

    columns: dict
    extra_capabilities: dict


class Inventory(abc.ABC):
    """The hosts' world, seen from the host plugin.

    ``host`` arguments are host views (dicts, as the API shows them);
    ``lease`` and ``reservation`` are the views the event engine passes to
    plugins.
    """

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def describe(self, context, name, request):
        """The ``HostDescription`` of the host the enrollment request names.

        ``request`` holds the request's other fields (name -> scalar).
        Raises ``InvalidInput``/``NotFound``/``Conflict`` when the host
        cannot be enrolled.
        """

    def enroll(self, context, host):
        """Make the enrolled host available for reservations (e.g. put it
        in the free pool); undone by ``withdraw`` if enrollment fails."""

    def check_deletable(self, context, host):
        """Raise ``Conflict`` if the host cannot leave Blazar now."""

    def withdraw(self, context, host):
        """Undo ``enroll`` for a host leaving Blazar."""

    @abc.abstractmethod
    def on_start(self, context, lease, reservation, hosts):
        """Hand ``hosts`` over to the reservation's project."""

    @abc.abstractmethod
    def before_end(self, context, lease, reservation, hosts, action):
        """Run ``action`` (``""`` or ``"snapshot"``) before the end."""

    @abc.abstractmethod
    def on_end(self, context, lease, reservation, hosts):
        """Take ``hosts`` back from the reservation's project."""

    @abc.abstractmethod
    def failed_hosts(self, context, hosts):
        """The ids of those of ``hosts`` that are down or disabled now."""

    @abc.abstractmethod
    def replace_hosts(self, context, lease, reservation, removed, added):
        """Hand ``added`` over to an active reservation and take
        ``removed`` (failed hosts it no longer holds) back. ``lease`` and
        ``reservation`` carry only their ids and the lease's
        ``project_id``."""

    def periodic_tasks(self):
        """Housekeeping for the manager to run (see
        ``ResourcePlugin.periodic_tasks``)."""
        return []


class StaticInventory(Inventory):
    """Hosts described by the administrator; nothing outside Blazar."""

    INTEGER_COLUMNS = ('vcpus', 'memory_mb', 'local_gb', 'hypervisor_version')
    REQUIRED_COLUMNS = ('vcpus', 'memory_mb', 'local_gb')
    TEXT_COLUMNS = ('cpu_info', 'hypervisor_type', 'availability_zone',
                    'service_name')

    def describe(self, context, name, request):
        columns = {'hypervisor_hostname': name, 'service_name': name}
        extra_capabilities = {}
        for key, value in request.items():
            if key in self.INTEGER_COLUMNS:
                columns[key] = _non_negative_integer(key, value)
            elif key in self.TEXT_COLUMNS:
                columns[key] = _text(key, value)
            else:
                extra_capabilities[key] = value
        missing = [c for c in self.REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise exceptions.MissingParameter(param=', '.join(missing))
        return HostDescription(columns, extra_capabilities)

    def on_start(self, context, lease, reservation, hosts):
        self._log('starts', reservation, hosts)

    def before_end(self, context, lease, reservation, hosts, action):
        if action:
            LOG.info('Static inventory: before-end action %r of reservation '
                     '%s has nothing to act on', action, reservation['id'])

    def on_end(self, context, lease, reservation, hosts):
        self._log('ends', reservation, hosts)

    def failed_hosts(self, context, hosts):
        down = _listed_hosts(self.conf[options.GROUP].down_hosts_file)
        return {host['id'] for host in hosts
                if host['hypervisor_hostname'] in down}

    def replace_hosts(self, context, lease, reservation, removed, added):
        self._log('gets replacement hosts', reservation, added)

    @staticmethod
    def _log(what, reservation, hosts):
        LOG.info('Static inventory: reservation %s %s on hosts %s; nothing '
                 'to do outside Blazar', reservation['id'], what,
                 ', '.join(h['hypervisor_hostname'] for h in hosts) or '-')


def _listed_hosts(path):
    """Host names listed in the administrator's file of hosts that are
    down; none without the file."""
    if not path:
        return set()
    try:
        with open(path, encoding='utf-8') as listing:
            lines = listing.read().splitlines()
    except FileNotFoundError:
        return set()
    names = (line.split('#', 1)[0].strip() for line in lines)
    return {name for name in names if name}


def _non_negative_integer(key, value):
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value < 2 ** 31):
        raise exceptions.MalformedParameter(param=key)
    return value


def _text(key, value):
    if not isinstance(value, str) or len(value) > 255:
        raise exceptions.MalformedParameter(param=key)
    return value


def load(conf):
    """The inventory ``[physical:host] inventory`` names."""
    kind = conf[options.GROUP].inventory
    if kind == options.STATIC:
        return StaticInventory(conf)
    try:
        module = importlib.import_module('blazar.plugins.hosts.nova_inventory')
    except ImportError as error:
        raise exceptions.BlazarError(
            '[physical:host] inventory = nova needs the Nova inventory '
            '(blazar.plugins.hosts.nova_inventory), which cannot be '
            'imported: %s. Use inventory = static to run without Nova.'
            % error)
    return module.NovaInventory(conf)

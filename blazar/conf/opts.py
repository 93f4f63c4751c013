"""Every option Blazar defines, for oslo-config-generator."""

from blazar.conf import api
from blazar.conf import default
from blazar.conf import enforcement
from blazar.conf import manager
from blazar.conf import notifications
from blazar.conf import nova
from blazar.conf import placement
from blazar.conf import trustee

_MODULES = (default, api, enforcement, manager, notifications, nova,
            placement, trustee)


def list_opts():
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    return sorted(groups.items())

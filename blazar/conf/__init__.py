"""Configuration options, one module per option group.

``CONF`` is the process-wide oslo.config object; every group registers
itself here, once, at import time. ``opts.list_opts`` feeds the sample
config generator from the same modules.
"""

from oslo_config import cfg

from blazar.conf import api
from blazar.conf import default
from blazar.conf import enforcement
from blazar.conf import manager
from blazar.conf import notifications
from blazar.conf import nova
from blazar.conf import placement
from blazar.conf import trustee

CONF = cfg.CONF

_GROUPS = (default, api, enforcement, manager, notifications, nova, placement,
           trustee)


def register_opts(conf):
    """Register every group's options on ``conf``."""
    for group in _GROUPS:
        group.register_opts(conf)


register_opts(CONF)

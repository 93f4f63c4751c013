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

for _group in (default, api, enforcement, manager, notifications, nova,
               placement, trustee):
    _group.register_opts(CONF)

"""Options the host plugin's Nova inventory reads.

``[nova]`` and ``[placement]`` hold keystoneauth's options (credentials,
TLS, ``timeout``, ``region_name``, ``valid_interfaces``...), declared by
``blazar.conf``; they are registered again here, by the same functions
and with the same defaults (a bounded ``timeout``, the service types), so
that any ``ConfigOpts`` the inventory is given has them.
``[placement]`` may leave ``auth_type`` unset to reuse the ``[nova]``
credentials. ``nova_opts`` are the inventory's own ``[nova]`` options.

``NovaInventory`` registers them when it is constructed; ``list_opts``
feeds the sample-config generator with the inventory's own options
through the ``blazar.plugins.hosts.nova`` entry point of
``oslo.config.opts``.
"""

from oslo_config import cfg

from blazar.conf import nova
from blazar.conf import placement

NOVA = nova.GROUP
PLACEMENT = placement.GROUP

nova_opts = [
    cfg.StrOpt('aggregate_freepool_name', default='freepool',
               help='Name of the Nova aggregate holding the enrolled hosts '
                    'that no reservation holds right now; created when '
                    'missing. Must match [blazar:physical:host] '
                    'aggregate_freepool_name of the scheduler filter.'),
    cfg.StrOpt('blazar_owner', default='blazar:owner',
               help='Aggregate metadata key naming the project that owns a '
                    'host reservation (read by the scheduler filter).'),
    cfg.BoolOpt('az_aware', default=True,
                help='Record the availability zone of each host at '
                     'enrollment.'),
    cfg.StrOpt('image_prefix', default='reserved_',
               help='Prefix of the names of the snapshots taken before a '
                    'host reservation ends (before_end = snapshot).'),
    cfg.IntOpt('server_deletion_timeout', default=120, min=1,
               help='Seconds to wait, at the end of a host reservation, '
                    'for Nova to delete the servers left on its hosts; '
                    'past it the end fails and is retried.'),
    cfg.IntOpt('reconcile_interval', default=60, min=0,
               help='Seconds between checks that every enrolled host sits '
                    'in the Nova aggregate Blazar expects (the freepool, '
                    'or the aggregate of the reservation holding it), '
                    'repairing any drift; 0 disables the check.'),
]


def register_opts(conf):
    conf.register_opts(nova_opts, group=NOVA)
    nova.register_opts(conf)
    placement.register_opts(conf)


def list_opts():
    """(group, options) pairs, as oslo-config-generator wants them."""
    return [(NOVA, nova_opts)]

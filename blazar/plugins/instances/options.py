"""Options of the [virtual:instance] group, owned by the instance plugin.

The ratios apply to hosts whose capacity Placement does not give (the
static inventory, or Placement not answering).

The plugin registers them when it is constructed; ``list_opts`` feeds
the sample-config generator through the ``blazar.plugins.instances``
entry point of ``oslo.config.opts``.
"""

from oslo_config import cfg

GROUP = 'virtual:instance'

DELETE = 'delete'
SHELVE = 'shelve'
SNAPSHOT = 'snapshot'

opts = [
    cfg.FloatOpt('cpu_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual CPUs instance reservations may hold per CPU '
                      'of a host (its vcpus as enrolled). With the Nova '
                      'inventory, Placement\'s inventory of the host '
                      '(total - reserved, times its allocation ratio) is '
                      'used instead while Placement answers.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.0, min=0.0,
                 help='Memory instance reservations may hold per MB of '
                      'a host (its memory_mb as enrolled).'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Disk instance reservations may hold per GB of a '
                      'host (its local_gb as enrolled).'),
    cfg.StrOpt('on_end', default=DELETE,
               choices=[(DELETE, 'Delete them.'),
                        (SHELVE, 'Shelve and offload them: their disks are '
                                 'kept, their hosts freed.'),
                        (SNAPSHOT, 'Snapshot each (image named [nova] '
                                   'image_prefix + server name), then '
                                   'delete it once Nova has taken the '
                                   'snapshot.')],
               help='What happens, with the Nova inventory, to the servers '
                    'of an instance reservation\'s flavor, or to the server '
                    'a lease was made for, when it ends.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    """(group, options) pairs, as oslo-config-generator wants them."""
    return [(GROUP, opts)]

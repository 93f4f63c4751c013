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
# Every project gets default leases.
ALL_PROJECTS = '*'
DEFAULT_LEASE_DURATION = 30 * 24 * 3600

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
    cfg.IntOpt('reconcile_interval', default=60, min=0,
               help='Seconds between checks, with the Nova inventory, that '
                    'each active instance reservation (of a lease not '
                    'ending within a minute) still has its flavor, its '
                    'hosts in its aggregate and its slots as Placement '
                    'inventory on each, and nothing on hosts it no longer '
                    'holds, repairing any drift (a hand-over that failed '
                    'half-way, an operator\'s mistake). Each check lists '
                    'Nova\'s aggregates and flavors and reads the inventory '
                    'of each Blazar resource provider; 0 disables it.'),
    cfg.BoolOpt('leases_at_boot', default=False,
                help='Make leases for new servers: one booted with the '
                     'metadata blazar:lease_end (and optionally '
                     'blazar:lease_start, blazar:lease_name) gets a lease '
                     'of its own, shelved until the start; one in a '
                     'project of default_lease_projects gets a default '
                     'lease. Deleting the server deletes such a lease. '
                     'The managers listen to Nova\'s versioned '
                     'instance.create.end and instance.delete.end '
                     'notifications (Nova with a '
                     'notification driver and [notifications] '
                     'notification_format = versioned or both) on '
                     '[oslo_messaging_notifications] transport_url (else '
                     'the RPC transport), as one pool ([manager] '
                     'notification_pool). Such leases have no Keystone '
                     'trust: Blazar acts on them with its own credentials '
                     '([nova]). Needs the Nova inventory.'),
    cfg.StrOpt('notification_exchange', default='nova',
               help='Exchange Nova sends its notifications to (nova.conf '
                    '[DEFAULT] control_exchange), for leases_at_boot.'),
    cfg.ListOpt('notification_topics', default=['versioned_notifications'],
                help='Topics of Nova\'s versioned notifications (nova.conf '
                     '[notifications] versioned_notifications_topics), for '
                     'leases_at_boot.'),
    cfg.ListOpt('default_lease_projects', default=[],
                help='With leases_at_boot, ids of the projects whose new '
                     'servers without blazar:lease_end metadata get a '
                     'default lease, from their boot for '
                     'default_lease_duration; "%s" for every project.'
                     % ALL_PROJECTS),
    cfg.IntOpt('default_lease_duration', default=DEFAULT_LEASE_DURATION,
               min=60,
               help='Seconds a default lease lasts (30 days by default); '
                    'its holder extends it by updating the lease\'s '
                    'end_date.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    """(group, options) pairs, as oslo-config-generator wants them."""
    return [(GROUP, opts)]

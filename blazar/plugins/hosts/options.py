"""Options of the [physical:host] group, owned by the host plugin.

The plugin registers them when it is constructed; ``list_opts`` feeds
the sample-config generator through the ``blazar.plugins.hosts`` entry
point of ``oslo.config.opts``.
"""

from oslo_config import cfg

GROUP = 'physical:host'

STATIC = 'static'
NOVA = 'nova'

opts = [
    cfg.StrOpt('inventory', default=NOVA,
               choices=[(NOVA, 'Hosts are Nova hypervisors: enrollment '
                               'reads them from Nova, and leases move them '
                               'between Nova aggregates.'),
                        (STATIC, 'Hosts are described in the enrollment '
                                 'request; leases touch nothing outside '
                                 'Blazar (quickstart, tests, bare '
                                 'scheduling).')],
               help='Where hosts come from and what a lease does to them '
                    'when it starts and ends.'),
    cfg.StrOpt('blazar_az_prefix', default='blazar_',
               help='Prefix of the availability zone of the Nova aggregate '
                    'made for each host reservation.'),
    cfg.StrOpt('before_end', default='',
               choices=[('', 'Do nothing.'),
                        ('snapshot', 'Snapshot every server on the hosts '
                                     '(Nova inventory).')],
               help='Action run shortly before a host reservation ends when '
                    'the reservation asks for the default one: nothing, or '
                    'a snapshot of every server on its hosts.'),
    cfg.BoolOpt('randomize_host_selection', default=True,
                help='Take the free hosts of a reservation starting from a '
                     'random host, instead of lowest ids first: spreads '
                     'wear, and concurrent requests take different hosts '
                     'instead of competing (and retrying) for the same '
                     'ones.'),
    cfg.IntOpt('health_check_interval', default=60, min=0,
               help='Seconds between looks at the health of the enrolled '
                    'hosts (Nova: the state and status of each host\'s '
                    'nova-compute service; static inventory: '
                    'down_hosts_file). A failed host becomes unreservable '
                    'and the reservations holding it get replacement hosts '
                    'or a degraded lease; 0 disables the check.'),
    cfg.IntOpt('healing_horizon', default=60, min=0,
               help='Minutes ahead that reservations holding a failed host '
                    'are healed; those further away are healed when they '
                    'come within it, so a short outage does not reshuffle '
                    'far-away leases. 0 heals every future reservation at '
                    'once.'),
    cfg.BoolOpt('enable_notification_monitor', default=False,
                help='Also look at the health of the hosts as soon as Nova '
                     'sends a versioned service.update (or service.create, '
                     'service.delete) notification about a nova-compute '
                     'service (Nova with a notification '
                     'driver and [notifications] notification_format = '
                     'versioned or both), not only every '
                     'health_check_interval seconds. The managers listen on '
                     '[oslo_messaging_notifications] transport_url (else the '
                     'RPC transport) as one pool, so one of them takes '
                     'each notification.'),
    cfg.StrOpt('notification_exchange', default='nova',
               help='Exchange Nova sends its notifications to (nova.conf '
                    '[DEFAULT] control_exchange).'),
    cfg.ListOpt('notification_topics', default=['versioned_notifications'],
                help='Topics of Nova\'s versioned notifications (nova.conf '
                     '[notifications] versioned_notifications_topics).'),
    cfg.StrOpt('down_hosts_file',
               help='Static inventory: a file in which the administrator '
                    'lists the hosts that are down, one hypervisor '
                    'hostname per line (# starts a comment). Hosts not '
                    'listed, or every host when the option is unset or the '
                    'file missing, are up. Every manager reads its own copy.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    """(group, options) pairs, as oslo-config-generator wants them."""
    return [(GROUP, opts)]

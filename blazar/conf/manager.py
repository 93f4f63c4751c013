"""Options of the [manager] group: the manager process and its engine."""

from oslo_config import cfg

GROUP = 'manager'

opts = [
    cfg.ListOpt('plugins', default=[],
                help='Resource plugins to enable, by entry-point name in '
                     'the blazar.resource.plugins namespace, for example '
                     'physical.host.plugin.'),
    cfg.StrOpt('rpc_topic', default='blazar.manager',
               help='Topic the manager listens on for API calls.'),
    cfg.IntOpt('minutes_before_end_lease', default=60, min=0, mutable=True,
               help='Minutes before the end of a lease at which the '
                    'before_end_lease event runs; 0 disables it.'),
    cfg.IntOpt('event_workers', default=8, min=1,
               help='Events that may run at the same time in one manager.'),
    cfg.IntOpt('event_max_retries', default=1, min=0, max=50,
               help='Times a failed event is retried before it is marked '
                    'ERROR.'),
    cfg.IntOpt('event_claim_seconds', default=300, min=10,
               help='How long a manager holds a claimed event before other '
                    'managers may take it over, were it to die.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}

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
    cfg.StrOpt('notification_pool', default='blazar-manager',
               help='Pool in which the managers listen to other services\' '
                    'notifications: each notification reaches one manager '
                    'of the pool. Managers of separate Blazar deployments '
                    'that read the same message bus need different pools.'),
    cfg.IntOpt('minutes_before_end_lease', default=60, min=0, mutable=True,
               help='Minutes before the end of a lease at which the '
                    'before_end_lease event runs; 0 disables it.'),
    cfg.IntOpt('event_workers', default=8, min=1,
               help='Events that may run at the same time in one manager. '
                    'A manager only claims events its idle workers can '
                    'start soon, so the others stay free for other '
                    'managers.'),
    cfg.IntOpt('event_max_retries', default=5, min=0, max=50,
               help='Times an event that failed for a transient reason '
                    '(a service or the database unreachable, a deadlock, '
                    'an unexpected error) is retried before it is marked '
                    'ERROR. Errors that retrying cannot fix (such as an '
                    'invalid lease status) mark it ERROR at once.'),
    cfg.FloatOpt('event_retry_interval', default=2.0, min=0.1,
                 help='Seconds before the first retry of a failed event; '
                      'each further retry waits twice as long, up to '
                      'five minutes.'),
    cfg.IntOpt('event_claim_seconds', default=30, min=2,
               help='Deadline of a manager\'s claim on an event it runs. '
                    'The manager extends it every third of this while the '
                    'event runs; if the manager dies, another one (or the '
                    'same one restarted) takes the event over once the '
                    'deadline has passed.'),
    cfg.URIOpt('before_end_webhook_url', schemes=['http', 'https'],
               help='If set, the before_end_lease event of every lease '
                    'POSTs {"event": "before_end_lease", "lease": <lease>} '
                    'here as JSON (header X-Blazar-Event-Id identifies '
                    'the delivery). Delivery is at least once: the event '
                    'is retried like any failed event until a 2xx answer '
                    'or event_max_retries.'),
    cfg.FloatOpt('before_end_webhook_timeout', default=10.0, min=0.1,
                 help='Seconds to wait for the before_end webhook to '
                      'answer.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}

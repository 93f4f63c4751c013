"""Options of the [enforcement] group: usage limits checked by the manager
before a lease is created or changed (``blazar.enforcement``)."""

from oslo_config import cfg

GROUP = 'enforcement'

opts = [
    cfg.ListOpt('enabled_filters', default=[],
                help='Usage enforcement filters to apply, by class name: '
                     'MaxLeaseDurationFilter, ExternalServiceFilter. An '
                     'unknown name stops the manager at start.'),
    cfg.IntOpt('max_lease_duration', default=-1, min=-1,
               help='MaxLeaseDurationFilter: longest lease allowed, in '
                    'seconds; -1 means no limit.'),
    cfg.ListOpt('max_lease_duration_exempt_project_ids', default=[],
                help='MaxLeaseDurationFilter: projects whose leases may '
                     'be of any length.'),
    cfg.URIOpt('external_service_base_endpoint', schemes=['http', 'https'],
               deprecated_name='external_service_endpoint',
               help='ExternalServiceFilter: base URL of the service asked '
                    'to approve leases; check-create, check-update and '
                    'on-end are appended to it unless an endpoint below '
                    'names a hook explicitly.'),
    cfg.URIOpt('external_service_check_create_endpoint',
               schemes=['http', 'https'],
               deprecated_name='external_service_check_create',
               help='ExternalServiceFilter: URL asked before a lease is '
                    'created.'),
    cfg.URIOpt('external_service_check_update_endpoint',
               schemes=['http', 'https'],
               deprecated_name='external_service_check_update',
               help='ExternalServiceFilter: URL asked before a lease is '
                    'changed.'),
    cfg.URIOpt('external_service_on_end_endpoint',
               schemes=['http', 'https'],
               deprecated_name='external_service_on_end',
               help='ExternalServiceFilter: URL told when a lease ends or '
                    'is deleted before its end.'),
    cfg.StrOpt('external_service_token', default='', secret=True,
               help='ExternalServiceFilter: sent as X-Auth-Token when not '
                    'empty.'),
    cfg.FloatOpt('external_service_timeout', default=10.0, min=0.1,
                 help='ExternalServiceFilter: seconds to wait for the '
                      'service to answer.'),
    cfg.StrOpt('external_service_unreachable', default='deny',
               choices=[('deny', 'Refuse the lease, as if the service had '
                                 'denied it'),
                        ('allow', 'Let the lease through')],
               help='ExternalServiceFilter: what a check does when the '
                    'service cannot be reached (connection refused, time '
                    'out).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}

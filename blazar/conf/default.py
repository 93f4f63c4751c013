"""Options of the [DEFAULT] group that belong to Blazar itself."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone',
                         'Validate tokens with keystonemiddleware'),
                        ('noauth', 'Trust identity headers; for tests and '
                                   'the single-process quickstart only')],
               help='How the API authenticates requests.'),
    cfg.IntOpt('cleaning_time', default=0, min=0, mutable=True,
               help='Minutes kept free before and after every reservation '
                    'of a resource, for cleaning it between tenants.'),
    cfg.StrOpt('host', sample_default='<hostname>',
               help='Name of this node, used as RPC server name and as '
                    'the owner of the events this manager claims.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}

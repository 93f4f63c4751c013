"""Options of the [api] group: the REST API process."""

from oslo_config import cfg

GROUP = 'api'

opts = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address blazar-api and blazar-all listen on.'),
    cfg.PortOpt('port', default=1234,
                help='Port blazar-api and blazar-all listen on.'),
    cfg.IntOpt('workers', default=1, min=1,
               help='Serving capacity of blazar-api and blazar-all, in '
                    'units of eight threads serving HTTP requests.'),
    cfg.IntOpt('backlog', default=4096, min=1,
               help='Connections the kernel may hold for blazar-api and '
                    'blazar-all before they accept them (listen backlog, '
                    'capped by net.core.somaxconn). Clients arriving past '
                    'a full backlog see their connections stall or '
                    'reset.'),
    cfg.IntOpt('max_request_body_size', default=114688, min=1024,
               help='Largest request body accepted, in bytes.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}

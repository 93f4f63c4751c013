"""Options of the [notifications] group."""

from oslo_config import cfg

GROUP = 'notifications'

opts = [
    cfg.StrOpt('publisher_id', default='blazar.lease',
               help='Publisher id of the notifications Blazar emits.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}

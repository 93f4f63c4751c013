"""Options of the [placement] group: how Blazar reaches Placement."""

from blazar.conf import keystoneauth

GROUP = 'placement'
SERVICE_TYPE = 'placement'


DEFAULTS = {'timeout': keystoneauth.DEFAULT_TIMEOUT,
            'service_type': SERVICE_TYPE,
            'valid_interfaces': ['internal', 'public']}


def register_opts(conf):
    keystoneauth.register(conf, GROUP, DEFAULTS)


def list_opts():
    return {GROUP: keystoneauth.sample_opts(DEFAULTS)}

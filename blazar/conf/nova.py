"""Options of the [nova] group: how Blazar reaches the Compute API."""

from blazar.conf import keystoneauth

GROUP = 'nova'
SERVICE_TYPE = 'compute'


DEFAULTS = {'timeout': keystoneauth.DEFAULT_TIMEOUT,
            'service_type': SERVICE_TYPE,
            'valid_interfaces': ['internal', 'public']}


def register_opts(conf):
    keystoneauth.register(conf, GROUP, DEFAULTS)


def list_opts():
    return {GROUP: keystoneauth.sample_opts(DEFAULTS)}

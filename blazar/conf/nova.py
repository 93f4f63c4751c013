"""Options of the [nova] group: how Blazar reaches the Compute API."""

from blazar.conf import keystoneauth

GROUP = 'nova'
SERVICE_TYPE = 'compute'


def register_opts(conf):
    keystoneauth.register(conf, GROUP)


def list_opts():
    return {GROUP: keystoneauth.sample_opts()}

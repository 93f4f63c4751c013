"""Options of the [placement] group: how Blazar reaches Placement."""

from blazar.conf import keystoneauth

GROUP = 'placement'
SERVICE_TYPE = 'placement'


def register_opts(conf):
    keystoneauth.register(conf, GROUP)


def list_opts():
    return {GROUP: keystoneauth.sample_opts()}

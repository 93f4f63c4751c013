"""Options of the [trustee] group: the Keystone user leases delegate to.

When a lease is created with a Keystone token, its owner delegates their
roles on the lease's project to this user through a Keystone trust
(``blazar.trusts``). The group holds keystoneauth's options: credentials
of a password user (``auth_type = password`` and its options), session
options, and the adapter options that pick Keystone's endpoint from the
catalog. Left without ``auth_type`` it uses the ``[nova]`` credentials:
in most deployments one ``blazar`` service user does both.
"""

from blazar.conf import keystoneauth

GROUP = 'trustee'
SERVICE_TYPE = 'identity'
DEFAULTS = {'timeout': keystoneauth.DEFAULT_TIMEOUT,
            'service_type': SERVICE_TYPE}


def register_opts(conf):
    keystoneauth.register(conf, GROUP, DEFAULTS)


def list_opts():
    return {GROUP: keystoneauth.sample_opts(DEFAULTS)}

"""keystoneauth options shared by the groups that describe another service.

``[nova]`` and ``[placement]`` tell Blazar how to reach those services:
credentials (``auth_type`` and the plugin's options), TLS and timeouts,
and which catalog endpoint to use. The options are keystoneauth's own,
registered with its helpers so that any other code registering them on
the same group agrees with us.
"""

from keystoneauth1 import loading as ks_loading


def register(conf, group):
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)
    ks_loading.register_adapter_conf_options(conf, group)


def sample_opts():
    """What the sample shows: the auth plugin options depend on
    ``auth_type`` and are registered when credentials are loaded, so the
    sample documents the usual ``password`` plugin."""
    return (ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password') +
            ks_loading.get_adapter_conf_options())


def adapter(conf, group, service_type):
    """A keystoneauth adapter for ``group``'s service, authenticated as
    the group's credentials say (raises if they are incomplete)."""
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    session = ks_loading.load_session_from_conf_options(conf, group,
                                                        auth=auth)
    return ks_loading.load_adapter_from_conf_options(
        conf, group, session=session, auth=auth,
        service_type=conf[group].service_type or service_type)

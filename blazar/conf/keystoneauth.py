"""keystoneauth options shared by the groups that describe another service.

``[nova]`` and ``[placement]`` tell Blazar how to reach those services:
credentials (``auth_type`` and the plugin's options), TLS and timeouts,
and which catalog endpoint to use. The options are keystoneauth's own,
registered with its helpers so that any other code registering them on
the same group agrees with us. Each group gives them its own defaults
(a bounded ``timeout``, its ``service_type``), which the sample shows.
"""

import copy

from keystoneauth1 import loading as ks_loading

# Every call must give up rather than hold an API request or a lease event
# for long: these services answer in well under a second when healthy.
DEFAULT_TIMEOUT = 30


def register(conf, group, defaults):
    """Register the options on ``group``, with ``defaults`` (option name
    -> value) in place of keystoneauth's."""
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)
    ks_loading.register_adapter_conf_options(conf, group)
    for name, value in defaults.items():
        conf.set_default(name, value, group=group)


def sample_opts(defaults):
    """What the sample shows, with the group's ``defaults``: the auth
    plugin options depend on ``auth_type`` and are registered when
    credentials are loaded, so the sample documents the usual
    ``password`` plugin."""
    opts = (ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password') +
            ks_loading.get_adapter_conf_options())
    return [_with_default(opt, defaults) for opt in opts]


def _with_default(opt, defaults):
    if opt.dest not in defaults:
        return opt
    # A copy: keystoneauth's own options keep their defaults.
    opt = copy.copy(opt)
    opt.default = defaults[opt.dest]
    return opt


def adapter(conf, group, service_type):
    """A keystoneauth adapter for ``group``'s service, authenticated as
    the group's credentials say (raises if they are incomplete)."""
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    session = ks_loading.load_session_from_conf_options(conf, group,
                                                        auth=auth)
    return ks_loading.load_adapter_from_conf_options(
        conf, group, session=session, auth=auth,
        service_type=conf[group].service_type or service_type)

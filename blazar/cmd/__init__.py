"""Process set-up shared by every Blazar entry point.

Blazar runs on native threads. Several OpenStack libraries probe for eventlet
and switch to green primitives when they find it installed (it arrives as a
hard dependency of oslo.service). Importing this package first (every
command, the WSGI module and the test suite do) makes eventlet unimportable
and selects oslo.service's threading backend before anything else can choose.
"""

import sys

from oslo_service import backend as _service_backend


class _NoEventlet:
    """Import hook that hides eventlet from every module in this process."""

    def find_spec(self, name, path=None, target=None):
        if name == 'eventlet' or name.startswith('eventlet.'):
            raise ImportError('eventlet is disabled in Blazar processes')
        return None


if not any(isinstance(f, _NoEventlet) for f in sys.meta_path):
    sys.meta_path.insert(0, _NoEventlet())

_service_backend.init_backend(_service_backend.BackendType.THREADING)


def prepare(argv, default_config_files=None, defaults=None):
    """Parse configuration and set up logging; returns ``CONF``.

    ``defaults`` maps (group, option) to a default for this command only
    (the quickstart's SQLite file, in-process transport and noauth).
    """
    from oslo_config import cfg
    from oslo_log import log as logging
    from oslo_messaging import opts as messaging_opts

    from blazar import conf as blazar_conf
    from blazar.db import engine

    conf = blazar_conf.CONF
    logging.register_options(conf)
    engine.register_opts(conf)
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    _register_plugin_opts(conf)
    for (group, name), value in (defaults or {}).items():
        conf.set_default(name, value, group=group)
    conf(argv[1:], project='blazar', prog=argv[0].rsplit('/', 1)[-1],
         default_config_files=default_config_files)
    logging.setup(conf, 'blazar')
    if conf.host is None:
        import socket
        conf.set_default('host', socket.gethostname())
    cfg.CONF.log_opt_values(logging.getLogger(__name__), logging.DEBUG)
    return conf


def _register_plugin_opts(conf):
    """Register the option groups plugins own (a plugin registers them
    itself when constructed; doing it here too lets a command give them
    defaults and logs them with the rest). They are found through the
    sample generator's entry points, so no plugin is imported by name
    and other projects' entry points are not loaded."""
    from importlib import metadata

    for entry_point in metadata.entry_points(group='oslo.config.opts'):
        if not entry_point.name.startswith('blazar.plugins.'):
            continue
        try:
            list_opts = entry_point.load()
        except ImportError as error:
            # A plugin that cannot be imported fails clearly when it is
            # enabled; it must not stop commands that do not use it.
            sys.stderr.write('Options of %s not loaded: %s\n'
                             % (entry_point.name, error))
            continue
        for group, opts in list_opts():
            conf.register_opts(opts, group=group)

"""Which options no Blazar service would know.

    python -m tests.options_probe CONFIG_FILE [GROUP/OPTION...]

Registers every option the services register when they start with
CONFIG_FILE (the commands' options, the enabled plugins', the API
middleware's, those of the auth plugins the file names), then prints, as
a JSON list, the options no one registered: those named on the command
line, or else every ``[section] option`` of the file, whose values are
then also read so that a value of the wrong type is reported too.

A separate process (the tests run it with subprocess), because this sets
up the process-wide configuration the way a service does.
"""

import configparser
import json
import sys

from keystoneauth1 import loading as ks_loading
from oslo_policy import policy
from oslo_service import opts as service_opts

from blazar.api import app
from blazar import cmd
from blazar.plugins import loader
from blazar import rpc

CREDENTIAL_GROUPS = ('keystone_authtoken', 'nova', 'placement')


def register_everything(config_path):
    conf = cmd.prepare(['options-probe', '--config-file', config_path])
    loader.load_plugins(conf)
    app.build(conf, rpc.get_transport(conf))
    policy.Enforcer(conf)
    service_opts.register_service_opts(conf)
    for group in CREDENTIAL_GROUPS:
        # What loading the credentials registers, without requiring them
        # to be complete.
        if conf[group].auth_type:
            conf.register_opts(ks_loading.get_auth_plugin_conf_options(
                conf[group].auth_type), group=group)
    return conf


def written_options(config_path):
    written = configparser.RawConfigParser(strict=False)
    written.read(config_path)
    for name in written.defaults():
        yield 'DEFAULT', name
    for section in written.sections():
        for name in written.options(section):
            if name not in written.defaults():
                yield section, name


def unknown_options(conf, options, read_values):
    unknown = []
    for section, name in options:
        group = conf if section == 'DEFAULT' else (
            conf[section] if section in conf else None)
        try:
            if group is None or name not in group:
                raise KeyError('no such option')
            if read_values:
                group[name]
        except Exception as error:
            unknown.append('[%s] %s: %s' % (section, name, error))
    return unknown


def main(config_path, *names):
    conf = register_everything(config_path)
    if names:
        options = [name.split('/', 1) for name in names]
    else:
        options = list(written_options(config_path))
    print(json.dumps(unknown_options(conf, options, read_values=not names)))


if __name__ == '__main__':
    main(*sys.argv[1:])

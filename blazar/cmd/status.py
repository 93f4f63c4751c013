"""blazar-status: ``blazar-status upgrade check`` before (re)starting Blazar.

Each check looks at the deployment as the services would find it: the
database schema, the policy file, the enabled resource plugins, when
hosts come from Nova, the Compute API, and with Keystone authentication,
the trustee of the leases' trusts. Exit status (oslo.upgradecheck):
0 all passed, 1 warnings, 2 failures, 255 a check crashed.
"""

import sys

from keystoneauth1 import exceptions as ks_exceptions
from oslo_policy import policy
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from blazar import cmd
from blazar import conf as blazar_conf
from blazar.conf import keystoneauth
from blazar.conf import nova as nova_conf
from blazar.db import engine
from blazar.db import migration
from blazar import exceptions
from blazar.plugins import loader
from blazar import policies
from blazar import trusts

Code = upgradecheck.Code
Result = upgradecheck.Result

HOST_PLUGIN = 'physical.host.plugin'
# The host plugin's group, registered from its entry point when installed.
HOST_GROUP = 'physical:host'


def check_database(conf):
    engine.configure(conf)
    try:
        current = migration.current()
    except Exception as error:
        return Result(Code.FAILURE, 'Cannot read the database: %s' % error)
    head = migration.head()
    if current == head:
        return Result(Code.SUCCESS, 'Schema at the latest revision (%s).'
                      % head)
    return Result(Code.FAILURE,
                  'Schema at revision %s, the code needs %s: run '
                  '"blazar-db-manage upgrade head".' % (current or 'none',
                                                        head))


def check_policy(conf):
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    path = conf.find_file(conf.oslo_policy.policy_file)
    try:
        enforcer.load_rules(force_reload=True)
    except Exception as error:
        return Result(Code.FAILURE, 'Cannot read %s: %s' % (path, error))
    problems = _policy_problems(enforcer)
    if problems:
        return Result(Code.FAILURE, '; '.join(problems))
    if not path:
        return Result(Code.SUCCESS, 'No policy file: the defaults apply.')
    return Result(Code.SUCCESS, '%s is valid.' % path)


def _policy_problems(enforcer):
    """What oslopolicy-validator reports: unknown rule names, rules that
    do not parse (oslo.policy turns them into "!", deny), and references
    to undefined rules or cycles (``check_rules``)."""
    problems = []
    for name, file_rule in sorted(enforcer.file_rules.items()):
        if name not in enforcer.registered_rules:
            problems.append('unknown rule %s' % name)
        elif (str(enforcer.rules[name]) == '!' and
              file_rule.check_str.strip() != '!'):
            problems.append('rule %s does not parse: %s'
                            % (name, file_rule.check_str))
    if not enforcer.check_rules():
        problems.append('rules refer to undefined rules or to themselves '
                        '(see the log above)')
    return problems


def check_plugins(conf):
    names = conf.manager.plugins
    if not names:
        return Result(Code.SUCCESS, 'No resource plugin enabled.')
    try:
        # What blazar-manager and blazar-api do when they start.
        loader.load_plugins(conf)
        loader.load_schemas(conf)
    except exceptions.BlazarError as error:
        return Result(Code.FAILURE, str(error))
    return Result(Code.SUCCESS, 'Loaded %s.' % ', '.join(names))


def check_nova(conf):
    if HOST_PLUGIN not in conf.manager.plugins:
        return Result(Code.SUCCESS, 'Not needed: the host plugin is off.')
    if HOST_GROUP not in conf:
        return Result(Code.FAILURE, 'The host plugin is enabled but not '
                      'installed.')
    if conf[HOST_GROUP].inventory != 'nova':
        return Result(Code.SUCCESS, 'Not needed: hosts are described in '
                      'Blazar ([physical:host] inventory = static).')
    if not conf[nova_conf.GROUP].auth_type:
        return Result(Code.FAILURE, 'No credentials for Nova: set auth_type '
                      'and its options in [nova].')
    try:
        compute = keystoneauth.adapter(conf, nova_conf.GROUP,
                                       nova_conf.SERVICE_TYPE)
        response = compute.get('/', raise_exc=False)
    except ks_exceptions.ClientException as error:
        return Result(Code.FAILURE, 'Cannot reach Nova with the [nova] '
                      'settings: %s' % error)
    if response.status_code >= 400:
        return Result(Code.FAILURE, 'Nova answered %s at %s'
                      % (response.status_code, response.url))
    return Result(Code.SUCCESS, 'Nova answered at %s.' % response.url)


def check_trustee(conf):
    """Leases created with a Keystone token need a trustee for their
    trust (``blazar.trusts``)."""
    if conf.auth_strategy == 'noauth':
        return Result(Code.SUCCESS, 'Not needed: no Keystone tokens, no '
                      'trusts (auth_strategy = noauth).')
    try:
        group = trusts.credentials_group(conf)
        user_id = trusts.Trusts(conf).trustee_user_id()
    except exceptions.BlazarError as error:
        return Result(Code.FAILURE, str(error))
    return Result(Code.SUCCESS, 'Leases delegate to Keystone user %s '
                  '([%s] credentials).' % (user_id, group))


def _run(check):
    """An UpgradeCommands method calling ``check`` with the configuration."""
    return lambda commands: check(commands.conf)


class Checks(upgradecheck.UpgradeCommands):
    """The checks, in the order they are shown."""

    _upgrade_checks = (
        ('Database schema', _run(check_database)),
        ('Policy file', _run(check_policy)),
        ('Policy file format',
         lambda commands: common_checks.check_policy_json(commands,
                                                          commands.conf)),
        ('Resource plugins', _run(check_plugins)),
        ('Nova', _run(check_nova)),
        ('Keystone trustee', _run(check_trustee)),
    )

    def __init__(self, conf):
        self.conf = conf


def main():
    conf = blazar_conf.CONF
    upgradecheck.register_cli_options(conf, Checks(conf))
    # Logs to stderr, so that stdout holds the report (JSON with --json).
    cmd.prepare(sys.argv, defaults={(None, 'use_stderr'): True})
    # upgradecheck.main() would parse the command line itself, without
    # Blazar's options and logging; it also records the configuration in
    # a module global that decides whether --json applies. Do the same.
    upgradecheck.CONF = conf
    sys.exit(upgradecheck.run(conf))

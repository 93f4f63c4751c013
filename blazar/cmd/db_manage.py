"""blazar-db-manage: schema migrations (upgrade, downgrade, current...)."""

import sys

from oslo_config import cfg

from blazar import cmd
from blazar.db import engine
from blazar.db import migration


def _add_commands(subparsers):
    upgrade = subparsers.add_parser('upgrade', help='Migrate forward.')
    upgrade.add_argument('revision', nargs='?', default='head')
    downgrade = subparsers.add_parser('downgrade', help='Migrate back.')
    downgrade.add_argument('revision')
    stamp = subparsers.add_parser('stamp', help='Set the revision only.')
    stamp.add_argument('revision')
    subparsers.add_parser('current', help='Show the current revision.')
    subparsers.add_parser('history', help='List the revisions.')


def _run(command):
    if command.name == 'upgrade':
        migration.upgrade(command.revision)
    elif command.name == 'downgrade':
        migration.downgrade(command.revision)
    elif command.name == 'stamp':
        migration.stamp(command.revision)
    elif command.name == 'current':
        print(migration.current() or 'base')
    else:
        for revision, doc in migration.history():
            print('%s  %s' % (revision, doc))


def main():
    cfg.CONF.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_commands))
    conf = cmd.prepare(sys.argv)
    engine.configure(conf)
    _run(conf.command)

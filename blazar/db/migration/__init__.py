"""Schema migrations (alembic) and the functions that run them."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration
from alembic import script

from blazar.db import engine

_SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def _config():
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', _SCRIPTS)
    return cfg


def upgrade(revision='head'):
    command.upgrade(_config(), revision)


def downgrade(revision):
    command.downgrade(_config(), revision)


def stamp(revision):
    command.stamp(_config(), revision)


def history():
    return [(rev.revision, rev.doc) for rev in
            script.ScriptDirectory.from_config(_config()).walk_revisions()]


def head():
    return script.ScriptDirectory.from_config(_config()).get_current_head()


def current():
    with engine.get_engine().connect() as connection:
        return migration.MigrationContext.configure(
            connection).get_current_revision()

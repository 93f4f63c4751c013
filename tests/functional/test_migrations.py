"""The migration history walks up and down on every supported database,
and at its head the schema is exactly what the models declare."""

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
import testtools

from blazar.db import engine
from blazar.db import migration
from blazar.db import models
from blazar.plugins.hosts import models as host_models  # noqa: F401
from blazar.plugins.instances import models as instance_models  # noqa: F401
from tests import fixtures as blazar_fixtures

TABLES = {'leases', 'reservations', 'events', 'computehosts',
          'resource_properties', 'computehost_extra_capabilities',
          'computehost_reservations', 'computehost_allocations',
          'instance_reservations', 'instance_server_boots'}


class _MigrationsWalk:
    backend = None

    def setUp(self):
        super().setUp()
        database = self.useFixture(blazar_fixtures.Database(self.backend))
        conf = cfg.ConfigOpts()
        engine.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override('connection', database.url, group='database')
        facade = enginefacade.transaction_context()
        self.patch(engine, '_facade', facade)
        engine.configure(conf)
        self.addCleanup(facade.dispose_pool)

    def _tables(self):
        inspector = sa.inspect(engine.get_engine())
        return set(inspector.get_table_names()) - {'alembic_version'}

    def test_walk_up_down_up(self):
        migration.upgrade('head')
        self.assertEqual(migration.head(), migration.current())
        self.assertEqual(TABLES, self._tables())
        migration.downgrade('base')
        self.assertEqual(set(), self._tables())
        migration.upgrade('head')
        self.assertEqual(TABLES, self._tables())

    def test_models_match_migrations(self):
        migration.upgrade('head')
        with engine.get_engine().connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'compare_type': False})
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
        self.assertEqual([], diff)


class SQLiteMigrationsTest(_MigrationsWalk, testtools.TestCase):
    backend = 'sqlite'


class MariaDBMigrationsTest(_MigrationsWalk, testtools.TestCase):
    backend = 'mysql'


class PostgreSQLMigrationsTest(_MigrationsWalk, testtools.TestCase):
    backend = 'postgresql'

"""Alembic environment: migrate the database configured for Blazar."""

from alembic import context

from blazar.db import engine


def run_migrations():
    with engine.get_engine().connect() as connection:
        context.configure(connection=connection,
                          render_as_batch=connection.dialect.name == 'sqlite')
        with context.begin_transaction():
            context.run_migrations()


run_migrations()

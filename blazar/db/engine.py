"""The database connection and its transactions.

Every operation runs in exactly one transaction: callers write
``with engine.writer(ctx) as session:`` around a whole lease create or
event step, and pass that session down to the db modules and plugins.
"""

from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

_facade = enginefacade.transaction_context()

DEFAULT_CONNECTION = 'sqlite:///blazar.sqlite'
# Connections kept open. A manager holds one per running event (8
# workers by default), plus the event scheduler's, the heartbeat's and
# those of RPC calls being served. oslo.db's default of 5 would close the
# rest after each use and open them again, and opening one is costly
# (PyMySQL builds a TLS context for every new connection).
DEFAULT_POOL_SIZE = 20


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION,
                            max_pool_size=DEFAULT_POOL_SIZE)


def configure(conf):
    """Point the facade at ``[database]``; call once per process."""
    register_opts(conf)
    # thread_checkin makes every statement sleep(0) so that eventlet
    # green threads get a turn; native threads do not need it.
    _facade.configure(sqlite_fk=True, thread_checkin=False,
                      **_database_options(conf))
    engine = _facade.writer.get_engine()
    if engine.dialect.name == 'sqlite':
        _serialize_sqlite_writers(engine)


def _database_options(conf):
    names = ('connection', 'max_pool_size', 'max_overflow', 'pool_timeout',
             'connection_recycle_time', 'max_retries', 'retry_interval',
             'mysql_sql_mode', 'connection_debug')
    return {name: conf.database[name] for name in names
            if conf.database[name] is not None}


def _serialize_sqlite_writers(engine):
    # oslo.db begins SQLite transactions itself with a deferred BEGIN, so
    # two threads that read and then write deadlock on the lock upgrade.
    # Taking the write lock at BEGIN (waiting for it) makes SQLite
    # transactions simply queue up, which is all the quickstart needs.
    @sa.event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.execute('PRAGMA busy_timeout = 30000')

    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _begin_immediate(_conn, _cursor, statement, parameters, *_args):
        if statement == 'BEGIN':
            statement = 'BEGIN IMMEDIATE'
        return statement, parameters


def get_engine():
    return _facade.writer.get_engine()


def writer(context):
    return _facade.writer.using(context)


def reader(context):
    return _facade.reader.using(context)


def warm_up(connections):
    """Open ``connections`` pooled connections now, so that the first
    burst of work after start-up does not wait for them."""
    engine = get_engine()
    opened = []
    try:
        for _ in range(connections):
            opened.append(engine.connect())
    finally:
        for connection in opened:
            connection.close()


def dispose():
    """Forget pooled connections (after a fork, or at shutdown)."""
    _facade.dispose_pool()

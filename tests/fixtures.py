"""Real services for tests: databases on each backend, and a running Blazar.

Database URLs come from the environment that ``tools/run-tests`` sets:
``BLAZAR_TEST_MYSQL_URL``, ``BLAZAR_TEST_POSTGRES_URL`` (server URLs;
each test database is created here with a unique name and dropped after)
and ``BLAZAR_TEST_RABBIT_URL``. A backend that is not configured is
skipped, unless ``BLAZAR_TEST_REQUIRE_SERVICES=1`` makes that a failure.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import unittest
import uuid

import fixtures
import sqlalchemy as sa
import testtools

BACKENDS = ('sqlite', 'mysql', 'postgresql')
_SERVER_ENV = {'mysql': 'BLAZAR_TEST_MYSQL_URL',
               'postgresql': 'BLAZAR_TEST_POSTGRES_URL'}


def require(what, available):
    """Skip (or fail, under the test runner) when a service is missing."""
    if available:
        return
    if os.environ.get('BLAZAR_TEST_REQUIRE_SERVICES') == '1':
        raise AssertionError('%s is required but not available' % what)
    raise unittest.SkipTest('%s not configured' % what)


def set_up_or_skip(fixture):
    """Set ``fixture`` up, letting a skip inside it (a backend that is
    not configured) skip the test rather than error it."""
    try:
        fixture.setUp()
    except fixtures.SetupError as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, unittest.SkipTest):
            raise cause
        raise
    return fixture


def use_or_skip(test, fixture):
    """``test.useFixture`` with ``set_up_or_skip``."""
    set_up_or_skip(fixture)
    test.addCleanup(fixture.cleanUp)
    return fixture


class Database(fixtures.Fixture):
    """A fresh, empty database on ``backend``; ``url`` connects to it."""

    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        self.url = None

    def _setUp(self):
        if self.backend == 'sqlite':
            directory = self.useFixture(fixtures.TempDir()).path
            self.url = 'sqlite:///%s/blazar.sqlite' % directory
            return
        server = os.environ.get(_SERVER_ENV[self.backend])
        require(self.backend, server)
        name = 'blazar_test_%s' % uuid.uuid4().hex[:12]
        admin = sa.create_engine(server.rstrip('/') + '/' + self._admin_db(),
                                 isolation_level='AUTOCOMMIT')
        with admin.connect() as connection:
            connection.exec_driver_sql('CREATE DATABASE %s' % name)
        self.addCleanup(self._drop, admin, name)
        self.url = server.rstrip('/') + '/' + name
        if self.backend == 'mysql':
            self.url += '?charset=utf8mb4'

    def _admin_db(self):
        return 'postgres' if self.backend == 'postgresql' else ''

    @staticmethod
    def _drop(admin, name):
        with admin.connect() as connection:
            if admin.dialect.name == 'postgresql':
                connection.exec_driver_sql(
                    'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
            else:
                connection.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
        admin.dispose()


def generate_sample(test, generator, config_file):
    """The text an oslo sample generator (a console script next to this
    Python) writes for ``config_file``, into a temporary file of ``test``.

    A separate interpreter: some libraries' option lists import eventlet,
    which a Blazar process refuses to load.
    """
    output = os.path.join(test.useFixture(fixtures.TempDir()).path,
                          'sample')
    subprocess.run([os.path.join(os.path.dirname(sys.executable), generator),
                    '--config-file', config_file, '--output-file', output],
                   check=True, capture_output=True, timeout=120,
                   cwd=os.path.dirname(os.path.dirname(
                       os.path.abspath(__file__))))
    with open(output) as generated:
        return generated.read()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError('process exited with %s' % process.returncode)
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError('nothing listens on port %d' % port)


def write_config(directory, sections):
    """An ini file from {section: {option: value}}; returns its path."""
    path = os.path.join(directory, 'blazar.conf')
    with open(path, 'w') as config:
        for section, options in sections.items():
            config.write('[%s]\n' % section)
            for name, value in options.items():
                config.write('%s = %s\n' % (name, value))
    return path


class BlazarProcess(fixtures.Fixture):
    """One Blazar command (blazar-all, -api or -manager) as a real process,
    its log kept in ``log_path`` and shown when a test fails."""

    def __init__(self, command, config_path, port=None, env=None):
        super().__init__()
        self.command = command
        self.config_path = config_path
        self.port = port
        self.env = env
        self.process = None

    def _setUp(self):
        directory = os.path.dirname(self.config_path)
        self.log_path = os.path.join(directory, '%s.%s.log'
                                     % (self.command, uuid.uuid4().hex[:6]))
        log = open(self.log_path, 'wb')
        self.addCleanup(log.close)
        executable = os.path.join(os.path.dirname(sys.executable),
                                  self.command)
        self.process = subprocess.Popen(
            [executable, '--config-file', self.config_path],
            stdout=log, stderr=subprocess.STDOUT, cwd=directory,
            env=dict(os.environ, **(self.env or {})))
        self.addCleanup(self.stop)
        self.addDetail('%s-log' % self.command,
                       testtools.content.content_from_file(
                           self.log_path, buffer_now=False))
        if self.port:
            wait_for_port(self.port, process=self.process)

    def wait_for_log(self, text, timeout=60.0):
        """Wait until the process has logged ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                with open(self.log_path, errors='replace') as log:
                    tail = log.read()[-3000:]
                raise RuntimeError('%s exited with %s:\n%s' % (
                    self.command, self.process.returncode, tail))
            with open(self.log_path, errors='replace') as log:
                if text in log.read():
                    return
            time.sleep(0.1)
        raise TimeoutError('%s never logged %r' % (self.command, text))

    def stop(self, sig=None):
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_command(command, config_path, *args):
    executable = os.path.join(os.path.dirname(sys.executable), command)
    subprocess.run([executable, '--config-file', config_path, *args],
                   check=True, capture_output=True, timeout=120)


class TcpProxy(fixtures.Fixture):
    """Forwards a local port to ``target`` (host, port), and can look to
    clients like a server restart: ``cut`` drops every connection and
    refuses new ones until ``restore``. The real server stays up, so test
    runs that share it are not disturbed."""

    def __init__(self, target):
        super().__init__()
        self.target = target
        self.port = None
        self.dropped = 0
        self._sockets = set()
        self._lock = threading.Lock()
        self._listener = None

    def _setUp(self):
        self.port = free_port()
        self.restore()
        self.addCleanup(self.cut)

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', self.port))
        listener.listen(128)
        listener.settimeout(0.2)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,),
                         daemon=True).start()

    def cut(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            _drop(listener)
        with self._lock:
            sockets, self._sockets = self._sockets, set()
            self.dropped += len(sockets) // 2
        for sock in sockets:
            _drop(sock)

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _drop(client)
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink),
                                 daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._sockets.difference_update((source, sink))
        for sock in (source, sink):
            _drop(sock)


def _drop(sock):
    """Close as the kernel does for a killed server. shutdown() first: a
    bare close() leaves the connection up while another thread is
    blocked reading from it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Schema(fixtures.Fixture):
    """A fresh database on ``backend`` holding Blazar's tables (``tables``
    only, if given), created from the models; ``engine`` connects to it."""

    def __init__(self, backend, tables=None):
        super().__init__()
        self.backend = backend
        self.tables = tables

    def _setUp(self):
        from blazar.db import models
        database = self.useFixture(Database(self.backend))
        self.engine = sa.create_engine(database.url)
        self.addCleanup(self.engine.dispose)
        models.Base.metadata.create_all(self.engine, tables=self.tables)

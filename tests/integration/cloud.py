"""The test cloud (tools/cloud) as integration tests see it.

Integration tests run only with ``BLAZAR_TEST_CLOUD=1``; decorate them with
``skip_unless_cloud``. ``ensure_cloud()`` makes sure the cloud is up and
describes it: it runs tools/cloud/start.sh (installing and starting whatever
is missing, or returning at once when the cloud is healthy) and reads the
cloud.json that start.sh publishes. tools/run-tests usually starts the cloud
in the background before the tests; start.sh serialises on its own lock, so
the first test simply waits for that start to finish.

``ProjectUser`` is a fixture that creates a fresh project with a member user
(or a user with another role) and removes both afterwards.
``HostLayoutLock`` keeps parallel test workers from changing which hosts
Blazar manages under each other's feet. ``NotificationPool`` gives a test's
Blazar its own share of Nova's notifications.
"""

import fcntl
import functools
import json
import os
import pathlib
import socket
import subprocess
import time
import unittest
import uuid

import fixtures
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from tests import nova_bus
from tests.integration import layout

REPO = pathlib.Path(__file__).resolve().parents[2]
START_SCRIPT = REPO / 'tools' / 'cloud' / 'start.sh'
CLOUD_DIR = pathlib.Path(
    os.environ.get('BLAZAR_CLOUD_DIR', '/tmp/blazar-cloud'))
READY_MARKER = CLOUD_DIR / 'ready'
FAILED_MARKER = CLOUD_DIR / 'failed'
CLOUD_JSON = CLOUD_DIR / 'cloud.json'
# A cold install plus a fresh start takes about 5 minutes on two cores.
READY_TIMEOUT = float(os.environ.get('BLAZAR_CLOUD_READY_TIMEOUT', 900))
NOVA_MICROVERSION = '2.96'
HOST_LAYOUT_LOCK_TIMEOUT = 600
MEMBER_ROLE = 'member'
# Present while the host layout is known to be the baseline (see
# HostLayoutLock).
CLEAN_MARKER = CLOUD_DIR / 'host-layout.clean'


def cloud_enabled():
    return os.environ.get('BLAZAR_TEST_CLOUD') == '1'


skip_unless_cloud = unittest.skipUnless(
    cloud_enabled(), 'integration test: set BLAZAR_TEST_CLOUD=1 to run it '
                     'against the test cloud (tools/cloud/start.sh)')


class CloudUnavailable(Exception):
    """The test cloud could not be started or did not become ready."""


class Cloud:
    """The running test cloud, as described by its cloud.json."""

    def __init__(self, description):
        self.description = description
        self.keystone_url = description['keystone_url']
        self.region_name = description['region_name']
        self.endpoints = description['endpoints']
        self.compute_hosts = description['compute_hosts']
        self.freepool = description['freepool']
        # driver, transport_url, exchange, topic of Nova's versioned
        # notifications.
        self.notifications = description['notifications']
        self.image_id = description['image']['id']
        self.python = description['python']
        self.log_dir = description['log_dir']

    @staticmethod
    def session_for(credentials):
        auth = v3.Password(**credentials)
        return ks_session.Session(auth=auth)

    def admin_session(self):
        return self.session_for(self.description['admin'])

    def blazar_credentials(self):
        """The `blazar` service user (admin role in project `service`)."""
        return dict(self.description['blazar_service_user'])

    def blazar_session(self):
        return self.session_for(self.blazar_credentials())

    def nova(self, session=None):
        from novaclient import client as nova_client
        return nova_client.Client(NOVA_MICROVERSION,
                                  session=session or self.admin_session(),
                                  region_name=self.region_name)


def _start_cloud(timeout):
    """Run start.sh once across all test processes of this machine."""
    CLOUD_DIR.mkdir(parents=True, exist_ok=True)
    with open(CLOUD_DIR / 'harness.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = subprocess.run(
                [str(START_SCRIPT)], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise CloudUnavailable('tools/cloud/start.sh did not finish '
                                   'within %d s' % timeout) from e
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    with open(CLOUD_DIR / 'harness.log', 'a') as log:
        log.write(result.stdout)
    if result.returncode != 0:
        raise CloudUnavailable('tools/cloud/start.sh failed (%d):\n%s' % (
            result.returncode, result.stdout[-3000:]))


def wait_until_ready(timeout):
    """Wait for start.sh's ready marker; give up early if it failed."""
    deadline = time.monotonic() + timeout
    while not READY_MARKER.exists():
        if FAILED_MARKER.exists():
            raise CloudUnavailable('test cloud start failed: %s' %
                                   FAILED_MARKER.read_text().strip())
        if time.monotonic() > deadline:
            raise CloudUnavailable('test cloud not ready after %d s (no %s)'
                                   % (timeout, READY_MARKER))
        time.sleep(2)
    return json.loads(CLOUD_JSON.read_text())


@functools.lru_cache(maxsize=None)
def ensure_cloud():
    """The running test cloud, started if needed (once per process)."""
    started = time.monotonic()
    _start_cloud(READY_TIMEOUT)
    remaining = max(READY_TIMEOUT - (time.monotonic() - started), 1)
    return Cloud(wait_until_ready(remaining))


class ProjectUser(fixtures.Fixture):
    """A fresh project with one user holding ``role`` (member) in it."""

    def __init__(self, cloud, prefix='blazar-test', role=MEMBER_ROLE):
        super().__init__()
        self.cloud = cloud
        self.prefix = prefix
        self.role = role

    def _setUp(self):
        admin = self.cloud.admin_session()
        keystone = self.cloud.keystone_url
        name = '%s-%s' % (self.prefix, uuid.uuid4().hex[:12])
        self.password = uuid.uuid4().hex
        project = admin.post(keystone + '/projects', json={'project': {
            'name': name, 'domain_id': 'default'}}).json()['project']
        self.addCleanup(admin.delete, keystone + '/projects/' + project['id'])
        user = admin.post(keystone + '/users', json={'user': {
            'name': name, 'domain_id': 'default', 'password': self.password,
            'default_project_id': project['id']}}).json()['user']
        self.addCleanup(admin.delete, keystone + '/users/' + user['id'])
        role = admin.get(keystone + '/roles?name=' + self.role).json()[
            'roles'][0]
        admin.put(keystone + '/projects/%s/users/%s/roles/%s' % (
            project['id'], user['id'], role['id']))
        self.project_id = project['id']
        self.user_id = user['id']
        self.credentials = {
            'auth_url': keystone, 'username': name,
            'password': self.password, 'project_id': project['id'],
            'user_domain_id': 'default'}
        self.session = Cloud.session_for(self.credentials)


class HostLayoutLock(fixtures.Fixture):
    """Cross-process lock on the computes' aggregate membership.

    The cloud has few computes, shared by every test worker. A test that
    moves hosts into or out of Blazar's aggregates (enrolment in the
    freepool, host reservations) holds the lock exclusively for its whole
    run; a test that only needs some hosts to stay outside Blazar holds it
    shared.

    The exclusive holder leaves the layout as it found it: before letting
    go it restores the baseline (``layout.restore``), once its own
    cleanups (and its Blazar) are gone. A holder killed before that leaves
    no ``CLEAN_MARKER``: whoever takes the lock next, in either mode,
    restores first. A fresh cloud has no marker either, so a run's first
    holder always starts from the baseline.
    """

    def __init__(self, exclusive, timeout=HOST_LAYOUT_LOCK_TIMEOUT):
        super().__init__()
        self.exclusive = exclusive
        self.timeout = timeout

    def _setUp(self):
        CLOUD_DIR.mkdir(parents=True, exist_ok=True)
        self.lock = open(CLOUD_DIR / 'host-layout.lock', 'a')
        self.addCleanup(self.lock.close)
        self._take(fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH)
        self.addCleanup(fcntl.flock, self.lock, fcntl.LOCK_UN)
        if not CLEAN_MARKER.exists():
            # Restoring needs the lock to ourselves (shared holders boot
            # servers); while it waits, Linux drops a shared lock.
            self._take(fcntl.LOCK_EX)
            if not CLEAN_MARKER.exists():
                self._restore()
        if self.exclusive:
            CLEAN_MARKER.unlink()
            self.addCleanup(self._restore)
        else:
            self._take(fcntl.LOCK_SH)

    def _take(self, mode):
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.lock, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError as e:
                if time.monotonic() > deadline:
                    raise CloudUnavailable(
                        'host layout lock still held after %d s'
                        % self.timeout) from e
                time.sleep(0.5)

    @staticmethod
    def _restore():
        layout.restore(ensure_cloud())
        CLEAN_MARKER.touch()


class NotificationPool(fixtures.Fixture):
    """A listener pool of one's own on the bus where Nova sends its
    versioned notifications, and the Blazar options that listen in it.

    Test managers of other workers listen on the same bus: in a shared
    pool, each notification would reach only one of them. RabbitMQ keeps
    a pool's queue (named after the pool) after its listeners stop, and
    every notification of Nova would pile up there: it is deleted at
    cleanup.
    """

    def __init__(self, cloud):
        super().__init__()
        self.cloud = cloud

    def _setUp(self):
        self.name = nova_bus.pool_name()
        self.addCleanup(nova_bus.delete_pool_queue,
                        self.cloud.notifications['transport_url'], self.name)

    def blazar_sections(self):
        return {'oslo_messaging_notifications': {
                    'transport_url': self.cloud.notifications[
                        'transport_url']},
                'manager': {'notification_pool': self.name}}


def refuse_busy_port(port):
    """Fail unless the port is free (the cloud's Blazar port is shared)."""
    with socket.socket() as sock:
        if sock.connect_ex(('127.0.0.1', port)) == 0:
            raise AssertionError('something already listens on port %d; '
                                 'stop it (a Blazar left running?)' % port)


def wait_for_server(nova, server_id, status, timeout=120):
    """Poll until the server reaches status; fail fast on ERROR."""
    deadline = time.monotonic() + timeout
    while True:
        server = nova.servers.get(server_id)
        if server.status == status:
            return server
        if server.status == 'ERROR' and status != 'ERROR':
            raise AssertionError('server %s went ERROR: %s' % (
                server_id, getattr(server, 'fault', None)))
        if time.monotonic() > deadline:
            raise AssertionError('server %s still %s after %d s, wanted %s'
                                 % (server_id, server.status, timeout, status))
        time.sleep(0.5)


def delete_server(nova, server_id):
    """Delete the server, if still there, and wait until it is gone."""
    from novaclient import exceptions as nova_exc
    try:
        nova.servers.delete(server_id)
    except nova_exc.NotFound:
        return
    wait_for_server_gone(nova, server_id)


def wait_for_server_gone(nova, server_id, timeout=60):
    from novaclient import exceptions as nova_exc
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            nova.servers.get(server_id)
        except nova_exc.NotFound:
            return
        time.sleep(0.5)
    raise AssertionError('server %s not deleted after %d s'
                         % (server_id, timeout))

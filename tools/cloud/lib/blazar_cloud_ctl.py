"""Set-up steps of the Blazar test cloud that need the OpenStack APIs.

start.sh runs this module with the cloud venv's Python, once per step::

    python blazar_cloud_ctl.py register
    python blazar_cloud_ctl.py wait-computes
    python blazar_cloud_ctl.py wait-hypervisors
    python blazar_cloud_ctl.py ensure-image
    python blazar_cloud_ctl.py ensure-aggregate NAME
    python blazar_cloud_ctl.py publish

Every step is idempotent, so a restart over existing databases converges to
the same state. Everything the steps need comes from ``BLAZAR_CLOUD_*``
variables that start.sh exports; the only output a test reads is what
``publish`` writes: the cloud description (``cloud.json``) and, last of all,
the ready marker.
"""

import calendar
import datetime
import json
import os
import sys
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

ENV = os.environ
REGION = ENV.get('BLAZAR_CLOUD_REGION', 'RegionOne')
DOMAIN = 'default'
SERVICE_PROJECT = 'service'
NOVA_HYPERVISOR_MICROVERSION = '2.53'

# (service user, catalog type, env var holding its endpoint URL). The blazar
# user has no service running here: the Blazar under test authenticates as it
# and uses it for its own Nova and Placement calls.
SERVICES = (
    ('placement', 'placement', 'BLAZAR_CLOUD_PLACEMENT_URL'),
    ('nova', 'compute', 'BLAZAR_CLOUD_COMPUTE_URL'),
    ('glance', 'image', 'BLAZAR_CLOUD_IMAGE_URL'),
    ('neutron', 'network', 'BLAZAR_CLOUD_NETWORK_URL'),
    ('blazar', 'reservation', 'BLAZAR_CLOUD_BLAZAR_URL'),
)
SERVICE_ROLES = ('admin', 'service')


def say(message):
    print(message, flush=True)


def admin_session():
    auth = v3.Password(auth_url=ENV['BLAZAR_CLOUD_KEYSTONE_URL'],
                       username='admin',
                       password=ENV['BLAZAR_CLOUD_ADMIN_PASSWORD'],
                       project_name='admin',
                       user_domain_id=DOMAIN,
                       project_domain_id=DOMAIN)
    return ks_session.Session(auth=auth)


# ----------------------------------------------------------------- keystone

class Keystone:
    """The few identity calls the set-up needs, as plain REST."""

    def __init__(self, session):
        self.session = session
        self.url = ENV['BLAZAR_CLOUD_KEYSTONE_URL']

    def _get(self, path, key):
        return self.session.get(self.url + path).json()[key]

    def _one(self, path, key, create_body):
        found = self._get(path, key)
        if found:
            return found[0]
        plural = key.rstrip('s')
        return self.session.post(self.url + '/' + key,
                                 json={plural: create_body}).json()[plural]

    def project(self, name):
        return self._one('/projects?name=%s&domain_id=%s' % (name, DOMAIN),
                         'projects', {'name': name, 'domain_id': DOMAIN})

    def role(self, name):
        return self._one('/roles?name=%s' % name, 'roles', {'name': name})

    def user(self, name, password):
        found = self._get('/users?name=%s&domain_id=%s' % (name, DOMAIN),
                          'users')
        if found:
            # Keep the password in step with this start's configuration.
            self.session.patch(self.url + '/users/' + found[0]['id'],
                               json={'user': {'password': password}})
            return found[0]
        body = {'name': name, 'password': password, 'domain_id': DOMAIN}
        return self.session.post(self.url + '/users',
                                 json={'user': body}).json()['user']

    def grant(self, project, user, role):
        self.session.put(self.url + '/projects/%s/users/%s/roles/%s' % (
            project['id'], user['id'], role['id']))

    def service(self, name, service_type):
        return self._one('/services?type=%s' % service_type, 'services',
                         {'name': name, 'type': service_type})

    def endpoints(self, service, url):
        existing = {e['interface']: e for e in self._get(
            '/endpoints?service_id=%s' % service['id'], 'endpoints')}
        for interface in ('public', 'internal', 'admin'):
            endpoint = existing.get(interface)
            if endpoint is None:
                self.session.post(self.url + '/endpoints', json={'endpoint': {
                    'service_id': service['id'], 'interface': interface,
                    'url': url, 'region_id': REGION}})
            elif endpoint['url'] != url:
                self.session.patch(self.url + '/endpoints/' + endpoint['id'],
                                   json={'endpoint': {'url': url}})


def register():
    """Service project, service users and the catalog."""
    keystone = Keystone(admin_session())
    project = keystone.project(SERVICE_PROJECT)
    roles = [keystone.role(name) for name in SERVICE_ROLES]
    password = ENV['BLAZAR_CLOUD_SERVICE_PASSWORD']
    for user_name, service_type, url_var in SERVICES:
        user = keystone.user(user_name, password)
        for role in roles:
            keystone.grant(project, user, role)
        keystone.endpoints(keystone.service(user_name, service_type),
                           ENV[url_var])
    say('keystone: service users and endpoints for %s'
        % ', '.join(s[0] for s in SERVICES))


# ----------------------------------------------------------------- waiting

def compute_hosts():
    return ENV['BLAZAR_CLOUD_COMPUTE_HOSTS'].split(',')


def check_processes_alive():
    """Stop waiting as soon as any process start.sh launched has died."""
    run_dir = ENV['BLAZAR_CLOUD_RUN_DIR']
    for name in sorted(os.listdir(run_dir)):
        if not name.endswith('.pid'):
            continue
        with open(os.path.join(run_dir, name)) as f:
            pid = int(f.read())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit('%s (pid %d) died; see its log in %s'
                     % (name[:-4], pid, ENV['BLAZAR_CLOUD_LOG_DIR']))


def wait_until(what, probe, timeout):
    """Call probe() until it returns (True, detail).

    Client errors count as "not yet": services may still be loading.
    """
    deadline = time.monotonic() + timeout
    detail = None
    while time.monotonic() < deadline:
        check_processes_alive()
        try:
            done, detail = probe()
        except (ks_exc.ClientException, KeyError, ValueError) as e:
            done, detail = False, repr(e)
        if done:
            say('%s: %s' % (what, detail))
            return
        time.sleep(1)
    sys.exit('%s: not reached after %d s (last: %s)' % (what, timeout, detail))


def _epoch(timestamp):
    return calendar.timegm(time.strptime(timestamp[:19], '%Y-%m-%dT%H:%M:%S'))


def wait_computes(timeout=180):
    """Every compute has a fresh heartbeat and an inventory in Placement.

    A heartbeat older than this start proves nothing: service rows of a
    previous run stay 'up' in the database for a while after a restart.
    """
    session = admin_session()
    nova = ENV['BLAZAR_CLOUD_COMPUTE_URL']
    placement = ENV['BLAZAR_CLOUD_PLACEMENT_URL']
    started = int(ENV['BLAZAR_CLOUD_START_EPOCH'])
    wanted = set(compute_hosts())

    def probe():
        services = session.get(
            nova + '/os-services?binary=nova-compute').json()['services']
        fresh = {s['host'] for s in services
                 if s['updated_at'] and _epoch(s['updated_at']) >= started}
        providers = session.get(
            placement + '/resource_providers').json()['resource_providers']
        with_inventory = set()
        for rp in providers:
            inventories = session.get(
                placement + '/resource_providers/%s/inventories' % rp['uuid']
            ).json()['inventories']
            if 'VCPU' in inventories:
                with_inventory.add(rp['name'])
        done = wanted <= fresh and wanted <= with_inventory
        return done, 'heartbeats %s, inventories %s' % (
            sorted(fresh), sorted(with_inventory))

    wait_until('computes reported', probe, timeout)


def wait_hypervisors(timeout=90):
    """Nova lists every compute as an enabled, up hypervisor (cell-mapped)."""
    session = admin_session()
    nova = ENV['BLAZAR_CLOUD_COMPUTE_URL']
    wanted = set(compute_hosts())

    def probe():
        hypervisors = session.get(
            nova + '/os-hypervisors/detail',
            headers={'X-OpenStack-Nova-API-Version':
                     NOVA_HYPERVISOR_MICROVERSION}).json()['hypervisors']
        usable = {h['hypervisor_hostname'] for h in hypervisors
                  if h['state'] == 'up' and h['status'] == 'enabled'}
        return wanted <= usable, sorted(usable)

    wait_until('hypervisors usable', probe, timeout)


# ----------------------------------------------------------------- content

def ensure_image():
    """A tiny public raw image to boot (the fake driver never reads it)."""
    session = admin_session()
    glance = ENV['BLAZAR_CLOUD_IMAGE_URL']
    name = ENV['BLAZAR_CLOUD_IMAGE_NAME']
    images = session.get(glance + '/v2/images?name=%s' % name).json()['images']
    active = [i for i in images if i['status'] == 'active']
    if active:
        say('image %s: %s (existing)' % (name, active[0]['id']))
        return
    image = session.post(glance + '/v2/images', json={
        'name': name, 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'public'}).json()
    session.put(glance + '/v2/images/%s/file' % image['id'],
                data=b'\0' * 65536,
                headers={'Content-Type': 'application/octet-stream'})
    say('image %s: %s (uploaded)' % (name, image['id']))


def ensure_aggregate(name):
    session = admin_session()
    nova = ENV['BLAZAR_CLOUD_COMPUTE_URL']
    aggregates = session.get(nova + '/os-aggregates').json()['aggregates']
    if not any(a['name'] == name for a in aggregates):
        session.post(nova + '/os-aggregates',
                     json={'aggregate': {'name': name}})
    say('aggregate %s present' % name)


# ----------------------------------------------------------------- publish

def _credentials(username, password, project):
    return {
        'auth_url': ENV['BLAZAR_CLOUD_KEYSTONE_URL'],
        'username': username,
        'password': password,
        'project_name': project,
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
    }


def describe():
    """What a test needs to know about the running cloud."""
    session = admin_session()
    glance = ENV['BLAZAR_CLOUD_IMAGE_URL']
    image_name = ENV['BLAZAR_CLOUD_IMAGE_NAME']
    image = session.get(
        glance + '/v2/images?name=%s' % image_name).json()['images'][0]
    run_dir = ENV['BLAZAR_CLOUD_RUN_DIR']
    return {
        'keystone_url': ENV['BLAZAR_CLOUD_KEYSTONE_URL'],
        'region_name': REGION,
        'admin': _credentials('admin', ENV['BLAZAR_CLOUD_ADMIN_PASSWORD'],
                              'admin'),
        'blazar_service_user': _credentials(
            'blazar', ENV['BLAZAR_CLOUD_SERVICE_PASSWORD'], SERVICE_PROJECT),
        'endpoints': {
            'identity': ENV['BLAZAR_CLOUD_KEYSTONE_URL'],
            'compute': ENV['BLAZAR_CLOUD_COMPUTE_URL'],
            'placement': ENV['BLAZAR_CLOUD_PLACEMENT_URL'],
            'image': glance,
            'network': ENV['BLAZAR_CLOUD_NETWORK_URL'],
            'reservation': ENV['BLAZAR_CLOUD_BLAZAR_URL'],
        },
        'blazar_url': ENV['BLAZAR_CLOUD_BLAZAR_URL'],
        'compute_hosts': compute_hosts(),
        'compute_driver': ENV['BLAZAR_CLOUD_COMPUTE_DRIVER'],
        'freepool': ENV['BLAZAR_CLOUD_FREEPOOL'],
        # Where Nova's versioned notifications go (driver noop: nowhere).
        'notifications': {
            'driver': ENV['BLAZAR_CLOUD_NOTIFICATIONS'],
            'transport_url': ENV['BLAZAR_CLOUD_RABBIT_URL'],
            'exchange': 'nova',
            'topic': 'versioned_notifications',
        },
        'image': {'name': image_name, 'id': image['id']},
        'nova_conf': ENV['BLAZAR_CLOUD_NOVA_CONF'],
        'log_dir': ENV['BLAZAR_CLOUD_LOG_DIR'],
        'venv': ENV['BLAZAR_CLOUD_VENV'],
        'python': os.path.join(ENV['BLAZAR_CLOUD_VENV'], 'bin', 'python'),
        'pids': sorted(n[:-4] for n in os.listdir(run_dir)
                       if n.endswith('.pid')),
        'ready_at': datetime.datetime.now(
            datetime.timezone.utc).isoformat(timespec='seconds'),
    }


def _write_atomically(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def publish():
    """Write cloud.json, then the ready marker (tests wait for the marker)."""
    description = describe()
    _write_atomically(ENV['BLAZAR_CLOUD_JSON'],
                      json.dumps(description, indent=2, sort_keys=True) + '\n')
    _write_atomically(ENV['BLAZAR_CLOUD_READY'],
                      description['ready_at'] + '\n')
    say('published %s' % ENV['BLAZAR_CLOUD_JSON'])


STEPS = {
    'register': register,
    'wait-computes': wait_computes,
    'wait-hypervisors': wait_hypervisors,
    'ensure-image': ensure_image,
    'ensure-aggregate': ensure_aggregate,
    'publish': publish,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in STEPS:
        sys.exit(__doc__)
    STEPS[argv[1]](*argv[2:])


if __name__ == '__main__':
    main(sys.argv)

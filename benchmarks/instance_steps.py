"""Start and end of an instance reservation in the test cloud's Nova.

Runs the instance plugin's Nova steps (``NovaResources.hand_over`` and
``take_back``) directly, without the event engine, against the cloud of
tools/cloud (fake-driver computes), holding the host-layout lock. For a
reservation of ``--amount`` slots on one compute it times the start, the
same start repeated (as after a crash), booting the servers, the end (the
servers are deleted first) and the end repeated, and lists the HTTP calls
each step makes to Nova and Placement.

    PYTHONPATH=. .venv/bin/python benchmarks/instance_steps.py \\
        --amount 2 --runs 3
"""

import argparse
import collections
import re
import statistics
import tempfile
import time
import uuid

from keystoneauth1 import session as ks_session
from oslo_config import cfg

from blazar.plugins.instances import resources
from tests import fixtures as blazar_fixtures
from tests.integration import cloud as test_cloud

STEPS = ('start', 'start again', 'boot servers', 'end', 'end again')
_ID = re.compile(r'[0-9a-fA-F-]{32,36}|[0-9]+|CUSTOM_RESERVATION_[0-9A-F_]+')


class CallLog:
    """Counts the requests every keystoneauth session sends, by step."""

    def __init__(self):
        self.step = None
        self.calls = collections.defaultdict(collections.Counter)
        self._request = ks_session.Session.request
        log = self

        def request(session, url, method, *args, **kwargs):
            if log.step is not None:
                log.calls[log.step]['%s %s' % (method, _shape(url))] += 1
            return log._request(session, url, method, *args, **kwargs)
        ks_session.Session.request = request


def _shape(url):
    """The URL's path with ids, numbers and reservation classes as <id>."""
    path = url.split('//', 1)[-1].split('/', 1)[-1].split('?')[0]
    return '/' + '/'.join('<id>' if _ID.fullmatch(segment) else segment
                          for segment in path.split('/'))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--amount', type=int, default=2)
    parser.add_argument('--runs', type=int, default=3)
    return parser.parse_args()


def make_resources(cloud, directory):
    """The Nova resources, as Blazar's service user."""
    path = blazar_fixtures.write_config(directory, {
        'physical:host': {'inventory': 'nova'},
        'nova': dict(cloud.blazar_credentials(), auth_type='password',
                     region_name=cloud.region_name)})
    conf = cfg.ConfigOpts()
    conf(['--config-file', path], project='blazar')
    return resources.load(conf)


def hypervisor_id(cloud, host):
    return [h.id for h in cloud.nova().hypervisors.list()
            if h.hypervisor_hostname == host][0]


def run_once(cloud, plugin, log, host, amount, timings):
    reservation = {'id': str(uuid.uuid4()), 'vcpus': 1, 'memory_mb': 64,
                   'disk_gb': 1, 'affinity': None}
    admin = cloud.nova()
    project = admin.client.session.get_project_id()
    lease = {'id': str(uuid.uuid4()), 'project_id': project}
    placements = [resources.Placement(host, hypervisor_id(cloud, host), host,
                                      amount)]
    steps = {
        'start': lambda: plugin.hand_over(None, lease, reservation,
                                          placements),
        'start again': lambda: plugin.hand_over(None, lease, reservation,
                                                placements),
        'boot servers': lambda: boot(cloud, admin, reservation['id'],
                                     amount),
        'end': lambda: plugin.take_back(None, lease, reservation,
                                        placements),
        'end again': lambda: plugin.take_back(None, lease, reservation,
                                              placements),
    }
    try:
        for step in STEPS:
            log.step = step
            started = time.monotonic()
            steps[step]()
            timings[step].append(time.monotonic() - started)
            log.step = None
    finally:
        log.step = None
        plugin.take_back(None, lease, reservation, placements)


def boot(cloud, admin, flavor_id, amount):
    servers = [admin.servers.create('bench-%d' % n, cloud.image_id,
                                    flavor_id, nics='none')
               for n in range(amount)]
    for server in servers:
        test_cloud.wait_for_server(admin, server.id, 'ACTIVE')


def main():
    args = parse_args()
    cloud = test_cloud.ensure_cloud()
    lock = test_cloud.HostLayoutLock(exclusive=True)
    lock.setUp()
    try:
        with tempfile.TemporaryDirectory() as directory:
            plugin = make_resources(cloud, directory)
        host = sorted(cloud.compute_hosts)[0]
        log = CallLog()
        timings = collections.defaultdict(list)
        for _ in range(args.runs):
            run_once(cloud, plugin, log, host, args.amount, timings)
    finally:
        lock.cleanUp()
    print('amount=%d runs=%d (seconds: median, max)' % (args.amount,
                                                        args.runs))
    for step in STEPS:
        print('%-13s %6.2f %6.2f' % (step, statistics.median(timings[step]),
                                     max(timings[step])))
    print('HTTP calls per run, by step:')
    for step in STEPS:
        calls = log.calls[step]
        print('%s: %d calls' % (step, sum(calls.values()) / args.runs))
        for call, count in sorted(calls.items()):
            print('    %4.1f  %s' % (count / args.runs, call))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Event lateness for a burst of N events due in the same second.

Starts Blazar for real (blazar-api and 1..3 blazar-manager processes over
RabbitMQ, on MariaDB or PostgreSQL, as the functional tests do), writes N
leases straight into the database, all starting at the same whole second
(each with one reservation of the test probe plugin, which notes when its
``on_start`` step begins), wakes the managers through the API (creating
one more lease, due with the burst, makes the manager cast
``events_changed`` to all), and
prints how late the steps began: min, p50, p99 and max, when the last lease
was ACTIVE, how many managers ran events, and the managers' CPU time per
event (a figure that, unlike lateness, does not depend on what else the
machine is doing).

Needs the servers ``tools/run-tests`` starts, and the same environment:

    BLAZAR_TEST_MYSQL_URL=mysql+pymysql://root@127.0.0.1:3306/ \\
    BLAZAR_TEST_POSTGRES_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/ \\
    BLAZAR_TEST_RABBIT_URL=rabbit://guest:guest@127.0.0.1:5672/ \\
    .venv/bin/python tools/bench_events.py --events 1,100,1000 \\
        --backends mysql,postgresql --managers 1,2,3
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

import blazar.cmd  # noqa: E402,F401  (threading backend)
import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from blazar.db import models  # noqa: E402
from blazar import states  # noqa: E402
from tests.functional import base  # noqa: E402
from tests.functional import probe  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--events', default='1,100,1000')
    parser.add_argument('--backends', default='mysql,postgresql')
    parser.add_argument('--managers', default='1,2,3')
    parser.add_argument('--workers', type=int, default=8,
                        help='[manager] event_workers of each manager')
    parser.add_argument('--lead', type=float, default=4.0,
                        help='seconds between writing the leases and '
                             'their start')
    return parser.parse_args()


def ints(text):
    return [int(x) for x in text.split(',')]


def start_blazar(backend, managers, workers, lead):
    the_probe = probe.Probe()
    the_probe.setUp()
    config = dict(the_probe.config)
    config['manager'] = dict(config['manager'], event_workers=workers,
                             minutes_before_end_lease=0)
    service = base.BlazarService(backend, 'split', config,
                                 env=the_probe.env)
    service.setUp()
    for _ in range(managers - 1):
        service.start_manager()
    return the_probe, service


def write_leases(database_url, count, start):
    """``count`` leases starting at ``start``, in one transaction."""
    end = start + datetime.timedelta(hours=1)
    leases, reservations, events = [], [], []
    for index in range(count):
        lease_id = models.new_id()
        leases.append(dict(id=lease_id, name='bench-%d' % index,
                           project_id='bench', user_id='bench',
                           start_date=start, end_date=end,
                           status=states.PENDING, degraded=False))
        reservations.append(dict(
            id=models.new_id(), lease_id=lease_id,
            resource_type=probe.RESOURCE_TYPE, resource_id=lease_id[:36],
            status=states.RES_PENDING, missing_resources=False,
            resources_changed=False))
        for event_type, time_ in ((states.START_LEASE, start),
                                  (states.END_LEASE, end)):
            events.append(dict(id=models.new_id(), lease_id=lease_id,
                               event_type=event_type, time=time_,
                               status=states.UNDONE, attempts=0))
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for model, rows in ((models.Lease, leases),
                            (models.Reservation, reservations),
                            (models.Event, events)):
            connection.execute(sa.insert(model), rows)
    engine.dispose()


def wake_managers(service, start):
    """Managers sleep through lease creations due after they next look:
    this one is due with the burst (one more event, without steps)."""
    headers = dict(base.NOAUTH_ADMIN, **{'Content-Type': 'application/json'})
    end = start + datetime.timedelta(days=1)
    response = requests.post(service.url + '/v1/leases', headers=headers,
                             json={'name': 'wake-up',
                                   'start_date': start.isoformat() + 'Z',
                                   'end_date': end.isoformat() + 'Z'},
                             timeout=60)
    response.raise_for_status()


def manager_cpu_seconds(service):
    """CPU time used so far by the service's manager processes (each a
    launcher and its forked worker)."""
    tick = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for manager in service.managers:
        pids = [manager.process.pid] + _children(manager.process.pid)
        for pid in pids:
            with open('/proc/%d/stat' % pid) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _children(pid):
    # Any thread of the launcher may have forked the worker.
    children = []
    for task in os.listdir('/proc/%d/task' % pid):
        with open('/proc/%d/task/%s/children' % (pid, task)) as listed:
            children.extend(int(child) for child in listed.read().split())
    return children


def wait_for_starts(the_probe, before, count, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ended = the_probe.journal(phase='end', step='on_start')[before:]
        if len(ended) >= count:
            return
        time.sleep(0.2)
    raise TimeoutError('only %d of %d leases started' % (len(ended), count))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def burst(the_probe, service, count, lead):
    before = len(the_probe.journal(phase='end', step='on_start'))
    begun_before = len(the_probe.journal(phase='begin', step='on_start'))
    start = (datetime.datetime.utcnow() +
             datetime.timedelta(seconds=lead + 1)).replace(microsecond=0)
    write_leases(service.database_url, count, start)
    wake_managers(service, start)
    cpu_before = manager_cpu_seconds(service)
    wait_for_starts(the_probe, before, count, timeout=120 + count)
    cpu = manager_cpu_seconds(service) - cpu_before
    epoch = start.replace(tzinfo=datetime.timezone.utc).timestamp()
    begun = the_probe.journal(phase='begin', step='on_start')[begun_before:]
    ended = the_probe.journal(phase='end', step='on_start')[before:]
    late = [line['time'] - epoch for line in begun]
    return {'min': min(late), 'p50': percentile(late, 0.5),
            'p99': percentile(late, 0.99), 'max': max(late),
            'all_active': max(line['time'] for line in ended) - epoch,
            'runs': len(begun),
            'managers_used': len({line['pid'] for line in begun}),
            'cpu_ms': 1000.0 * cpu / count}


def main():
    args = parse_args()
    print('%-10s %8s %6s %8s %8s %8s %8s %11s %6s %5s %7s'
          % ('backend', 'managers', 'events', 'min s', 'p50 s', 'p99 s',
             'max s', 'all done s', 'runs', 'used', 'cpu ms'))
    for backend in args.backends.split(','):
        for managers in ints(args.managers):
            the_probe, service = start_blazar(backend, managers, args.workers,
                                              args.lead)
            try:
                for count in ints(args.events):
                    result = burst(the_probe, service, count, args.lead)
                    print('%-10s %8d %6d %8.3f %8.3f %8.3f %8.3f %11.3f %6d '
                          '%5d %7.1f'
                          % (backend, managers, count, result['min'],
                             result['p50'], result['p99'], result['max'],
                             result['all_active'], result['runs'],
                             result['managers_used'], result['cpu_ms']),
                          flush=True)
            finally:
                service.cleanUp()
                the_probe.cleanUp()


if __name__ == '__main__':
    main()

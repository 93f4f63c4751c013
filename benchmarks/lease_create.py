"""Lease-create latency and throughput with separate API and manager.

For each number of enrolled hosts and of existing reservations, the
database is seeded directly (bulk inserts of consistent rows: no host is
held twice at once), blazar-api and blazar-manager are started over
RabbitMQ on MariaDB (or PostgreSQL), and clients create leases of one host
each through the HTTP API, in random one-hour windows of the next years.
It prints latency percentiles, leases per second for each number of
concurrent clients, and the manager's peak resident memory.

    .venv/bin/python benchmarks/lease_create.py --hosts 100,1000,10000 \\
        --existing 0,10000,100000 --clients 1,4,16 --requests 200
"""

import argparse
import concurrent.futures
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import requests
import sqlalchemy as sa

from blazar.db import models
from blazar.plugins.hosts import models as host_models

BASE = datetime.datetime(2031, 1, 1)
SPAN = datetime.timedelta(days=5 * 365)
WINDOW = datetime.timedelta(hours=1)
BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--server', default='mysql+pymysql://root@127.0.0.1:3306/')
    parser.add_argument('--rabbit', default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--hosts', default='100,1000,10000')
    parser.add_argument('--existing', default='0,10000,100000')
    parser.add_argument('--clients', default='1,4,16')
    parser.add_argument('--requests', type=int, default=200,
                        help='lease creations per client count')
    return parser.parse_args()


def ints(text):
    return [int(x) for x in text.split(',')]


# --- database --------------------------------------------------------------

def create_database(server):
    name = 'blazar_bench_%s' % uuid.uuid4().hex[:8]
    admin_db = 'postgres' if server.startswith('postgresql') else ''
    admin = sa.create_engine(server + admin_db, isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.exec_driver_sql('CREATE DATABASE %s' % name)
    url = server + name + ('?charset=utf8mb4' if 'mysql' in server else '')
    return admin, name, url


def drop_database(admin, name):
    with admin.connect() as connection:
        connection.exec_driver_sql('DROP DATABASE %s' % name)


def seed(url, hosts, existing):
    """Insert ``hosts`` hosts and ``existing`` one-host leases laid out
    back to back per host, so nothing overlaps."""
    engine = sa.create_engine(url)
    now = datetime.datetime.utcnow()
    with engine.begin() as connection:
        _insert(connection, host_models.ComputeHost, (
            dict(id=i + 1, hypervisor_hostname='bench-%05d' % i,
                 service_name='bench-%05d' % i, vcpus=64, memory_mb=262144,
                 local_gb=2000, cpu_info='', hypervisor_type='fake',
                 hypervisor_version=1, availability_zone='nova',
                 trust_id='', reservable=True, generation=0, created_at=now)
            for i in range(hosts)))
        per_host = max(1, existing // hosts) if existing else 0
        slot = SPAN / max(per_host, 1)
        leases, rows = _existing_rows(existing, hosts, per_host, slot, now)
        for model, values in zip(
                (models.Lease, models.Reservation,
                 host_models.HostReservation, host_models.HostAllocation,
                 models.Event), rows):
            _insert(connection, model, values)
    engine.dispose()
    return leases


def _existing_rows(existing, hosts, per_host, slot, now):
    tables = ([], [], [], [], [])
    for n in range(existing):
        host, k = n % hosts, n // hosts
        start = BASE + k * slot
        end = start + min(WINDOW, slot * 0.3)
        lease_id, res_id = str(uuid.uuid4()), str(uuid.uuid4())
        tables[0].append(dict(id=lease_id, name='old-%d' % n, user_id='u',
                              project_id='bench', start_date=start,
                              end_date=end, status='PENDING',
                              degraded=False, created_at=now))
        tables[1].append(dict(id=res_id, lease_id=lease_id,
                              resource_id=res_id, resource_type='physical:host',
                              status='pending', missing_resources=False,
                              resources_changed=False, created_at=now))
        tables[2].append(dict(id=str(uuid.uuid4()), reservation_id=res_id,
                              count_range='1-1', resource_properties='',
                              hypervisor_properties='', before_end='default',
                              created_at=now))
        tables[3].append(dict(id=str(uuid.uuid4()), compute_host_id=host + 1,
                              reservation_id=res_id, start_date=start,
                              end_date=end, slots=0, created_at=now))
        for event_type, when in (('start_lease', start), ('end_lease', end)):
            tables[4].append(dict(id=str(uuid.uuid4()), lease_id=lease_id,
                                  event_type=event_type, time=when,
                                  status='UNDONE', attempts=0, created_at=now))
    return existing, tables


def _insert(connection, model, rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(sa.insert(model.__table__), batch)
            batch = []
    if batch:
        connection.execute(sa.insert(model.__table__), batch)


# --- processes -------------------------------------------------------------

def start_blazar(directory, url, rabbit):
    port = _free_port()
    config = os.path.join(directory, 'blazar.conf')
    with open(config, 'w') as f:
        f.write('[DEFAULT]\nauth_strategy = noauth\ntransport_url = %s\n'
                '[database]\nconnection = %s\n[api]\nport = %d\n'
                '[manager]\nplugins = physical.host.plugin\n'
                'rpc_topic = bench.%s\n[physical:host]\ninventory = static\n'
                % (rabbit, url, port, uuid.uuid4().hex))
    bindir = os.path.dirname(sys.executable)
    subprocess.run([os.path.join(bindir, 'blazar-db-manage'), '--config-file',
                    config, 'upgrade', 'head'], check=True,
                   capture_output=True)
    log = open(os.path.join(directory, 'blazar.log'), 'wb')
    processes = [subprocess.Popen([os.path.join(bindir, command),
                                   '--config-file', config],
                                  stdout=log, stderr=subprocess.STDOUT)
                 for command in ('blazar-manager', 'blazar-api')]
    _wait_for('http://127.0.0.1:%d/v1/leases' % port)
    return processes, 'http://127.0.0.1:%d' % port


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def peak_rss_mb(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


# --- load ------------------------------------------------------------------

def create_leases(url, clients, total):
    def one(_):
        start = BASE + datetime.timedelta(
            seconds=random.randrange(int(SPAN.total_seconds())))
        body = {'name': 'bench', 'start_date': start.strftime('%Y-%m-%d %H:%M'),
                'end_date': (start + WINDOW).strftime('%Y-%m-%d %H:%M'),
                'reservations': [{'resource_type': 'physical:host', 'min': 1,
                                  'max': 1, 'hypervisor_properties': '',
                                  'resource_properties': ''}]}
        session = sessions.setdefault(
            __import__('threading').get_ident(), requests.Session())
        began = time.perf_counter()
        response = session.post(url + '/v1/leases', json=body, timeout=120)
        elapsed = time.perf_counter() - began
        return elapsed, response.status_code

    sessions = {}
    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(total)))
    wall = time.perf_counter() - began
    latencies = sorted(r[0] for r in results if r[1] == 201)
    failures = sum(1 for r in results if r[1] != 201)
    return latencies, failures, wall


def percentile(values, fraction):
    if not values:
        return float('nan')
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def run_case(args, hosts, existing):
    admin, name, url = create_database(args.server)
    try:
        with tempfile.TemporaryDirectory() as directory:
            processes, api = start_blazar(directory, url, args.rabbit)
            try:
                seed(url, hosts, existing)
                create_leases(api, 2, 10)  # warm connections and caches
                for clients in ints(args.clients):
                    latencies, failures, wall = create_leases(
                        api, clients, args.requests)
                    print('%6d hosts %7d existing %3d clients: p50 %7.1f ms  '
                          'p95 %7.1f ms  %6.1f leases/s  failed %d' % (
                              hosts, existing, clients,
                              1000 * percentile(latencies, 0.5),
                              1000 * percentile(latencies, 0.95),
                              len(latencies) / wall, failures), flush=True)
                print('%6d hosts %7d existing: manager peak RSS %.0f MB' % (
                    hosts, existing, peak_rss_mb(processes[0].pid)),
                    flush=True)
            finally:
                for process in processes:
                    process.terminate()
                    process.wait(30)
    finally:
        drop_database(admin, name)


def main():
    args = parse_args()
    for hosts in ints(args.hosts):
        for existing in ints(args.existing):
            run_case(args, hosts, existing)


if __name__ == '__main__':
    main()

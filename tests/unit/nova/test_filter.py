"""Tests of the BlazarFilter with Nova's own objects and filter machinery.

These need Nova, which lives in the test cloud's venv, not in the main test
venv. In the main suite this module reports itself skipped; the integration
suite (tests/integration/test_nova_filter_unit.py) runs it with the cloud
venv's Python, where it really executes. Run it by hand with::

    /tmp/blazar-cloud/venv/bin/python -m unittest discover \
        -s tests/unit/nova -t tests/unit/nova -v

Only the standard library and Nova are used here, so no other test
dependency has to be installed into the cloud venv. The Blazar API is a real
HTTP server on loopback that serves a lease list the test chooses.
"""

import http.server
import json
import subprocess
import sys
import threading
import time
import unittest
import uuid

try:
    import nova  # noqa: F401
except ImportError as e:
    raise unittest.SkipTest(
        'Nova is not importable here; the integration suite runs these '
        'tests in the test cloud venv') from e

from keystoneauth1 import loading as ks_loading  # noqa: E402
from nova import objects  # noqa: E402
from nova.scheduler import filters  # noqa: E402
from nova.scheduler import host_manager  # noqa: E402

from blazar.nova import filter as blazar_filter  # noqa: E402

objects.register_all()
CONF = blazar_filter.CONF

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
CELL = str(uuid.uuid4())
RESERVATION = str(uuid.uuid4())
SERVICE_TOKEN = 'service-token'


def aggregate(name, metadata=None):
    return objects.Aggregate(name=name, metadata=dict(metadata or {}),
                             hosts=[])


def freepool():
    return aggregate('freepool')


def host_reservation_pool(reservation_id=RESERVATION, owner=PROJECT,
                          **extra):
    metadata = {'availability_zone': 'blazar_' + reservation_id,
                'blazar:owner': owner}
    metadata.update(extra)
    return aggregate(reservation_id, metadata)


def host(name, *aggregates):
    state = host_manager.HostState(name, name, CELL)
    state.aggregates = list(aggregates)
    return state


def request(project=PROJECT, reservation=None, extra_specs=None):
    hints = {} if reservation is None else {
        'reservation': reservation if isinstance(reservation, list)
        else [reservation]}
    return objects.RequestSpec(
        project_id=project, scheduler_hints=hints, num_instances=1,
        instance_uuid=str(uuid.uuid4()),
        flavor=objects.Flavor(extra_specs=dict(extra_specs or {})))


def lease(status='ACTIVE', project=PROJECT, reservation_id=RESERVATION):
    return {'id': str(uuid.uuid4()), 'status': status, 'project_id': project,
            'reservations': [{'id': reservation_id, 'status': 'active'}]}


class FakeBlazarApi:
    """A Blazar API stand-in on loopback: GET /v1/leases and nothing else."""

    def __init__(self):
        self.leases = []
        self.status = 200
        self.delay = 0.0
        self.raw_body = None
        self.requests = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                api.requests.append((self.path,
                                     self.headers.get('X-Auth-Token')))
                time.sleep(api.delay)
                if self.path != '/v1/leases':
                    self.send_error(404)
                    return
                body = api.raw_body or json.dumps(
                    {'leases': api.leases}).encode()
                self.send_response(api.status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d/v1' % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FilterTestCase(unittest.TestCase):
    """Runs BlazarFilter through Nova's HostFilterHandler, as the scheduler
    does, with [blazar] pointing at a FakeBlazarApi or at nothing."""

    api_url = None

    def setUp(self):
        super().setUp()
        self.override('url', self.api_url, 'blazar')
        # A fixed service token instead of a Keystone round trip; the fake
        # API records which token the filter sent.
        CONF.register_opts(
            ks_loading.get_auth_plugin_conf_options('admin_token'),
            group='blazar')
        self.override('auth_type', 'admin_token', 'blazar')
        self.override('token', SERVICE_TOKEN, 'blazar')
        self.override('endpoint', 'http://127.0.0.1:9/unused', 'blazar')
        self.handler = filters.HostFilterHandler()
        self.make_filter()

    def override(self, name, value, group):
        CONF.set_override(name, value, group=group)
        self.addCleanup(CONF.clear_override, name, group=group)

    def make_filter(self):
        """A new filter, as a restarted scheduler would have it."""
        self.filter = blazar_filter.BlazarFilter()

    def passing(self, hosts, spec, index=0):
        result = self.handler.get_filtered_objects(
            [self.filter], hosts, spec, index)
        return sorted(h.host for h in result)

    def passes(self, host_state, spec):
        return self.passing([host_state], spec) == [host_state.host]


class UnreservedBootTest(FilterTestCase):
    """Boots without a reservation hint; the Blazar API is never asked."""

    def test_host_outside_blazar_accepts_ordinary_boot(self):
        self.assertTrue(self.passes(host('c1'), request()))

    def test_host_in_unrelated_aggregate_accepts_ordinary_boot(self):
        state = host('c1', aggregate('ssd', {'availability_zone': 'nova'}))
        self.assertTrue(self.passes(state, request()))

    def test_freepool_host_rejects_ordinary_boot(self):
        self.assertFalse(self.passes(host('c1', freepool()), request()))

    def test_reserved_host_rejects_ordinary_boot_even_of_owner(self):
        state = host('c1', host_reservation_pool())
        self.assertFalse(self.passes(state, request(project=PROJECT)))

    def test_legacy_blazar_colon_zone_counts_as_blazar_pool(self):
        legacy = aggregate(RESERVATION,
                           {'availability_zone': 'blazar:' + RESERVATION})
        self.assertFalse(self.passes(host('c1', legacy), request()))

    def test_configured_names_are_used(self):
        group = 'blazar:physical:host'
        self.override('aggregate_freepool_name', 'spare', group)
        self.override('preemptible_aggregate', 'spare', group)
        self.override('blazar_az_prefix', 'lease-', group)
        self.assertTrue(self.passes(host('c1', freepool()), request()))
        spare = host('c1', aggregate('spare'))
        self.assertFalse(self.passes(spare, request()))
        zoned = aggregate('x', {'availability_zone': 'lease-x'})
        self.assertFalse(self.passes(host('c1', zoned), request()))

    def test_mixed_hosts_only_unenrolled_pass(self):
        hosts = [host('free', freepool()), host('plain'),
                 host('reserved', host_reservation_pool())]
        self.assertEqual(['plain'], self.passing(hosts, request()))

    def test_instance_reservation_flavor_passes_in_freepool(self):
        spec = request(extra_specs={
            'aggregate_instance_extra_specs:reservation': RESERVATION})
        self.assertTrue(self.passes(host('c1', freepool()), spec))

    def test_server_named_by_its_reservation_passes_there_only(self):
        spec = request()
        kept = aggregate(RESERVATION, {'reservation': RESERVATION,
                                       'blazar:server': spec.instance_uuid})
        self.assertEqual(['kept'], self.passing(
            [host('kept', freepool(), kept), host('free', freepool())], spec))
        self.assertFalse(self.passes(host('kept', freepool(), kept),
                                     request()))

    def test_preemptible_refused_unless_allowed(self):
        spec = request(extra_specs={'blazar:preemptible': 'true'})
        self.assertFalse(self.passes(host('c1', freepool()), spec))

    def test_preemptible_allowed_only_on_preemptible_aggregate(self):
        self.override('allow_preemptibles', True, 'blazar:physical:host')
        spec = request(extra_specs={'blazar:preemptible': 'True'})
        self.assertTrue(self.passes(host('c1', freepool()), spec))
        self.assertFalse(self.passes(host('c1'), spec))
        both = host('c1', freepool(), host_reservation_pool())
        self.assertFalse(self.passes(both, spec))

    def test_non_preemptible_flavor_with_preemptibles_allowed(self):
        self.override('allow_preemptibles', True, 'blazar:physical:host')
        spec = request(extra_specs={'blazar:preemptible': 'false'})
        self.assertFalse(self.passes(host('c1', freepool()), spec))

    def test_later_instances_of_a_multi_create_are_filtered_too(self):
        # Given the full host list again, index > 0 decides as index 0 does.
        hosts = [host('free', freepool()), host('plain')]
        for index in range(3):
            self.assertEqual(['plain'],
                             self.passing(hosts, request(), index=index))


class ReservedBootWithoutApiTest(FilterTestCase):
    """Reservation hint, no Blazar URL configured: aggregate metadata rules."""

    def test_owner_passes_on_reservation_hosts_only(self):
        hosts = [host('reserved', host_reservation_pool()),
                 host('free', freepool()), host('plain')]
        spec = request(reservation=RESERVATION)
        self.assertEqual(['reserved'], self.passing(hosts, spec))

    def test_other_project_rejected(self):
        state = host('c1', host_reservation_pool())
        spec = request(project=OTHER_PROJECT, reservation=RESERVATION)
        self.assertFalse(self.passes(state, spec))

    def test_project_granted_by_metadata_key_passes(self):
        state = host('c1', host_reservation_pool(**{OTHER_PROJECT: 'true'}))
        spec = request(project=OTHER_PROJECT, reservation=RESERVATION)
        self.assertTrue(self.passes(state, spec))

    def test_hint_naming_another_reservation_rejected(self):
        state = host('c1', host_reservation_pool())
        spec = request(reservation=str(uuid.uuid4()))
        self.assertFalse(self.passes(state, spec))

    def test_hint_list_matches_any_named_reservation(self):
        state = host('c1', host_reservation_pool())
        spec = request(reservation=[str(uuid.uuid4()), RESERVATION])
        self.assertTrue(self.passes(state, spec))

    def test_aggregate_without_blazar_zone_is_not_a_host_reservation(self):
        # An instance reservation's aggregate has the reservation's name but
        # no blazar_ zone; a host reservation hint must not match it.
        instance_pool = aggregate(RESERVATION, {'reservation': RESERVATION,
                                                'blazar:owner': PROJECT})
        state = host('c1', freepool(), instance_pool)
        self.assertFalse(self.passes(state, request(reservation=RESERVATION)))


class LeaseCheckTest(FilterTestCase):
    """Reservation hint with the Blazar API answering."""

    def setUp(self):
        self.api = FakeBlazarApi()
        self.addCleanup(self.api.stop)
        self.api_url = self.api.url
        super().setUp()

    def test_active_lease_of_requester_passes(self):
        self.api.leases = [lease(status='ACTIVE', project=PROJECT)]
        state = host('c1', host_reservation_pool())
        self.assertTrue(self.passes(state, request(reservation=RESERVATION)))
        self.assertEqual([('/v1/leases', SERVICE_TOKEN)], self.api.requests)

    def test_pending_and_terminated_leases_reject(self):
        for status in ('PENDING', 'TERMINATED', 'STARTING', 'ERROR'):
            self.api.leases = [lease(status=status)]
            self.make_filter()
            state = host('c1', host_reservation_pool())
            self.assertFalse(
                self.passes(state, request(reservation=RESERVATION)), status)

    def test_reservation_unknown_to_blazar_rejects(self):
        self.api.leases = [lease(reservation_id=str(uuid.uuid4()))]
        state = host('c1', host_reservation_pool())
        self.assertFalse(self.passes(state, request(reservation=RESERVATION)))

    def test_lease_of_other_project_rejects_despite_owner_tag(self):
        # The aggregate claims the requester owns it; Blazar says otherwise.
        self.api.leases = [lease(project=OTHER_PROJECT)]
        state = host('c1', host_reservation_pool(owner=PROJECT))
        self.assertFalse(self.passes(state, request(reservation=RESERVATION)))

    def test_explicitly_granted_project_passes_on_active_lease(self):
        self.api.leases = [lease(project=PROJECT)]
        state = host('c1', host_reservation_pool(**{OTHER_PROJECT: 'yes'}))
        spec = request(project=OTHER_PROJECT, reservation=RESERVATION)
        self.assertTrue(self.passes(state, spec))

    def test_active_lease_does_not_open_hosts_outside_its_aggregate(self):
        self.api.leases = [lease()]
        hosts = [host('reserved', host_reservation_pool()),
                 host('free', freepool()), host('plain')]
        spec = request(reservation=RESERVATION)
        self.assertEqual(['reserved'], self.passing(hosts, spec))

    def test_api_asked_once_per_request_not_per_host_or_instance(self):
        self.api.leases = [lease()]
        hosts = [host('c%d' % i, host_reservation_pool()) for i in range(5)]
        spec = request(reservation=RESERVATION)
        for index in range(3):
            self.assertEqual(5, len(self.passing(hosts, spec, index=index)))
        self.assertEqual(1, len(self.api.requests))
        self.passing(hosts, request(reservation=RESERVATION))
        self.assertEqual(2, len(self.api.requests))

    def test_api_error_falls_back_to_aggregate_metadata_with_warning(self):
        self.api.status = 500
        state = host('c1', host_reservation_pool())
        with self.assertLogs('blazar.nova.filter', 'WARNING') as logs:
            self.assertTrue(
                self.passes(state, request(reservation=RESERVATION)))
        self.assertIn('deciding from aggregate metadata only',
                      logs.output[0])
        other = request(project=OTHER_PROJECT, reservation=RESERVATION)
        with self.assertLogs('blazar.nova.filter', 'WARNING'):
            self.assertFalse(self.passes(state, other))

    def test_slow_api_falls_back_within_the_timeout(self):
        self.override('timeout', 0.5, 'blazar')
        self.make_filter()
        self.api.delay = 3
        self.api.leases = [lease(status='PENDING')]
        state = host('c1', host_reservation_pool())
        started = time.monotonic()
        with self.assertLogs('blazar.nova.filter', 'WARNING'):
            self.assertTrue(
                self.passes(state, request(reservation=RESERVATION)))
        self.assertLess(time.monotonic() - started, 2.5)

    def test_answer_without_lease_list_falls_back(self):
        state = host('c1', host_reservation_pool())
        for body in (b'[]', b'{"leases": {}}', b'<html>proxy error</html>'):
            self.api.raw_body = body
            with self.assertLogs('blazar.nova.filter', 'WARNING'):
                self.assertTrue(
                    self.passes(state, request(reservation=RESERVATION)))

    def test_unreachable_api_falls_back(self):
        self.api.stop()
        state = host('c1', host_reservation_pool())
        with self.assertLogs('blazar.nova.filter', 'WARNING'):
            self.assertTrue(
                self.passes(state, request(reservation=RESERVATION)))

    def test_ordinary_boot_never_asks_the_api(self):
        self.passing([host('c1', freepool()), host('c2')], request())
        self.assertEqual([], self.api.requests)


class DecisionFunctionsTest(unittest.TestCase):
    """The pure pieces, on inputs the scheduler rarely produces."""

    def test_hint_values(self):
        self.assertEqual([], blazar_filter.hint_values(None))
        self.assertEqual(['a'], blazar_filter.hint_values('a'))
        self.assertEqual(['a', 'b'], blazar_filter.hint_values(['a', 'b']))

    def test_lease_verdicts_ignore_malformed_entries(self):
        leases = [{'status': 'ACTIVE'}, {'reservations': None},
                  lease(reservation_id='r1')]
        self.assertEqual(
            {'r1': blazar_filter.LEASE_ACTIVE_OWNED,
             'r2': blazar_filter.LEASE_UNKNOWN},
            blazar_filter.lease_verdicts(leases, ['r1', 'r2'], PROJECT))

    def test_list_opts_names_both_groups(self):
        groups = dict(blazar_filter.list_opts())
        self.assertIn('url', [o.name for o in groups['blazar']])
        self.assertIn('timeout', [o.name for o in groups['blazar']])
        self.assertEqual(
            {'aggregate_freepool_name', 'blazar_owner', 'blazar_az_prefix',
             'allow_preemptibles', 'preemptible_aggregate'},
            {o.name for o in groups['blazar:physical:host']})

    def test_timeout_defaults_to_two_seconds(self):
        self.assertEqual(2, CONF.blazar.timeout)


class ImportIsolationTest(unittest.TestCase):
    """nova-scheduler imports the filter; it must bring no Blazar set-up."""

    def import_in_fresh_scheduler_process(self, eventlet_mode):
        # What nova-scheduler does before it loads filters: pick its
        # concurrency backend (threading by default, eventlet on request).
        code = (
            "from nova import monkey_patch; monkey_patch.patch('threading')\n"
            "import sys\n"
            "import blazar.nova.filter\n"
            "print(sorted(m for m in sys.modules"
            " if m.split('.')[0] == 'blazar'))\n")
        env = {'OS_NOVA_DISABLE_EVENTLET_PATCHING':
               '0' if eventlet_mode else '1',
               'PYTHONPATH': ':'.join(p for p in sys.path if p),
               'PYTHONDONTWRITEBYTECODE': '1'}
        return subprocess.run([sys.executable, '-c', code], env=env,
                              capture_output=True, text=True, timeout=120)

    def test_only_the_filter_modules_of_blazar_are_loaded(self):
        result = self.import_in_fresh_scheduler_process(eventlet_mode=False)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(
            "['blazar', 'blazar.nova', 'blazar.nova.filter']",
            result.stdout.strip().splitlines()[-1])

    def test_importable_into_an_eventlet_scheduler(self):
        result = self.import_in_fresh_scheduler_process(eventlet_mode=True)
        self.assertEqual(0, result.returncode, result.stderr)


if __name__ == '__main__':
    unittest.main()

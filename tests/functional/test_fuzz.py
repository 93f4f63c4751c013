"""Property-based fuzzing of the v1 API against a real blazar-all.

Schemathesis turns the API's OpenAPI description (doc/api/openapi.yaml)
into Hypothesis strategies: requests that follow it, and requests that
break it on purpose (wrong types, missing and unknown fields, values out
of range). A third strategy sends arbitrary bytes and arbitrary JSON to
every operation that takes a body. Whatever arrives, the service answers
below 500, and a refused request leaves the stored leases and hosts as
they were.

Examples come from a fixed seed, so every run (and CI) sends the same
requests. For a longer, fresh exploration set ``BLAZAR_FUZZ_EXAMPLES`` (per
strategy) and ``BLAZAR_FUZZ_RANDOM=1``.
"""

import collections
import json
import os
import sys

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import requests
import schemathesis
from testtools import content

from tests.functional import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OPENAPI = os.path.join(ROOT, 'doc', 'api', 'openapi.yaml')

EXAMPLES = int(os.environ.get('BLAZAR_FUZZ_EXAMPLES', '60'))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    derandomize=os.environ.get('BLAZAR_FUZZ_RANDOM') != '1',
    suppress_health_check=list(HealthCheck))

SCHEMA = schemathesis.openapi.from_path(OPENAPI)
VERSION = {'OpenStack-API-Version': 'reservation 1.0'}
IDENTITIES = st.sampled_from([base.NOAUTH_ADMIN, base.member_of('p-fuzz')])
WRITES = [(operation.method.upper(), operation.path)
          for operation in (result.ok() for result in
                            SCHEMA.get_all_operations())
          if operation.body]

# Fields that change without any request (the event engine runs leases).
VOLATILE = {'status', 'updated_at', 'degraded', 'missing_resources',
            'resources_changed'}

# Counts of what the fuzzer sent and got, by strategy; printed at the end.
TALLY = collections.defaultdict(collections.Counter)


def _stable(value):
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def _json_values():
    scalars = (st.none() | st.booleans() | st.integers() |
               st.floats(allow_nan=False) | st.text(max_size=40))
    return st.recursive(
        scalars, lambda inner: (st.lists(inner, max_size=4) |
                                st.dictionaries(st.text(max_size=12), inner,
                                                max_size=4)),
        max_leaves=12)


def _raw_bodies():
    """Bodies no client library would send."""
    return st.one_of(
        st.binary(max_size=300),
        _json_values().map(lambda v: json.dumps(v).encode()),
        st.text(max_size=200).map(lambda t: t.encode('utf-8',
                                                     'surrogatepass')),
        st.integers(1, 3000).map(lambda n: b'[' * n),
        st.sampled_from([b'{"name": NaN}', b'{"name": "\\ud800"}',
                         b'{"name": "a\\u0000"}', b'\xef\xbb\xbf{}',
                         b'{"reservations": [{"id": ["x"]}]}']))


class FuzzTest(base.ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(self._report)
        self.stored = self.snapshot()

    def _report(self):
        # What each strategy sent, by answer status: in the test's
        # details (stestr keeps them) and on stderr for direct runs.
        text = '; '.join('%s: %s' % (strategy, ', '.join(
            '%s=%d' % item for item in sorted(counts.items())))
            for strategy, counts in sorted(TALLY.items()))
        self.addDetail('fuzz-counts', content.text_content(text))
        sys.stderr.write('fuzz counts so far: %s\n' % text)

    # --- what is stored --------------------------------------------------

    def snapshot(self):
        """Everything a request could change, as admins see it."""
        leases = self.request('GET', '/v1/leases').json()['leases']
        hosts = self.request('GET', '/v1/os-hosts')
        by_id = sorted(leases, key=lambda lease: lease['id'])
        return {'leases': _stable(by_id),
                'hosts': _stable(hosts.json().get('hosts', []))
                if hosts.status_code == 200 else None}

    def known_ids(self, stored):
        leases = stored['leases']
        return {
            'lease_id': [lease['id'] for lease in leases],
            'host_id': [host['id'] for host in stored['hosts'] or []],
            'reservation_id': [r['id'] for lease in leases
                               for r in lease['reservations']],
        }

    # --- the property ----------------------------------------------------

    def check(self, strategy, method, url, **kwargs):
        """Send, then: no 5xx, and a refused write changed nothing."""
        writes = method not in ('GET', 'HEAD', 'OPTIONS')
        before = self.snapshot() if writes else None
        response = requests.request(method, url, timeout=60, **kwargs)
        TALLY[strategy][str(response.status_code)] += 1
        self.assertLess(response.status_code, 500,
                        '%s %s %r -> %s' % (method, url, kwargs,
                                            response.text))
        if writes:
            self.stored = self.snapshot()
            if response.status_code >= 400:
                self.assertEqual(before, self.stored,
                                 '%s %s %r was refused (%s) but changed '
                                 'stored data' % (method, url, kwargs,
                                                  response.status_code))

    def send_case(self, strategy, case, data):
        for name, ids in sorted(self.known_ids(self.stored).items()):
            # Half the time, aim at something that exists. The draws never
            # depend on what is stored, so Hypothesis can replay them.
            aim = data.draw(st.booleans(), label='aim at known ' + name)
            pick = data.draw(st.integers(0, 2 ** 16), label=name)
            for where in (case.path_parameters, case.query):
                if aim and ids and where is not None and name in where:
                    where[name] = ids[pick % len(ids)]
        identity = data.draw(IDENTITIES, label='identity')
        kwargs = case.as_transport_kwargs(
            base_url=self.service.url, headers=dict(identity, **VERSION))
        method, url = kwargs.pop('method'), kwargs.pop('url')
        self.check(strategy, method, url, **kwargs)

    @SETTINGS
    @given(case=SCHEMA.as_strategy(), data=st.data())
    def test_requests_following_the_description(self, case, data):
        self.send_case('positive', case, data)

    @SETTINGS
    @given(case=SCHEMA.as_strategy(
        generation_mode=schemathesis.GenerationMode.NEGATIVE),
        data=st.data())
    def test_requests_breaking_the_description(self, case, data):
        self.send_case('negative', case, data)

    @SETTINGS
    @given(operation=st.sampled_from(WRITES), body=_raw_bodies(),
           data=st.data())
    def test_arbitrary_bodies(self, operation, body, data):
        method, path = operation
        for name, known in sorted(self.known_ids(self.stored).items()):
            pick = data.draw(st.integers(0, 2 ** 16), label=name)
            known = known or ['unknown']
            path = path.replace('{%s}' % name, known[pick % len(known)])
        path = path.replace('{property_name}', 'gpu')
        headers = dict(data.draw(IDENTITIES), **VERSION)
        headers['Content-Type'] = 'application/json'
        self.check('raw-body', method, self.service.url + path,
                   data=body, headers=headers)

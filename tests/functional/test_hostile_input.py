"""Hostile input gets a clear 4xx and changes nothing, on every database.

The cases are those the fuzzer (test_fuzz.py) and reading the code found,
kept here as plain examples so each one is checked on SQLite, MariaDB and
PostgreSQL, whose drivers refuse different things (NUL characters, text
longer than a column, unpaired surrogates).
"""

import uuid

from tests.functional import base
from tests.functional import test_leases

HOST = {'resource_type': 'physical:host', 'min': 1, 'max': 1,
        'hypervisor_properties': '', 'resource_properties': ''}
INVALID_DATE = ('%s is an invalid date. Required format: %%Y-%%m-%%d '
                '%%H:%%M')
UNSTORABLE = ('Request body holds text that cannot be stored: a NUL '
              'character or an unpaired UTF-16 surrogate')


def body(**overrides):
    return test_leases.lease_body(**overrides)


class HostileInputTest(base.ServiceTestCase):

    config = {'manager': {'plugins': 'physical.host.plugin'},
              'physical:host': {'inventory': 'static'}}

    def setUp(self):
        super().setUp()
        response = self.request('POST', '/v1/leases', body(name='target'))
        self.assertEqual(201, response.status_code, response.text)
        self.lease = response.json()['lease']
        self.path = '/v1/leases/%s' % self.lease['id']

    def stored(self):
        leases = self.request('GET', '/v1/leases').json()['leases']
        return sorted((lease['id'], lease['name'], lease['start_date'],
                       lease['end_date'], lease['project_id'])
                      for lease in leases)

    def assertRefused(self, cases):
        """Each (method, path, send-kwargs, status, message) is answered
        with that status (and message, unless None) and stores nothing."""
        before = self.stored()
        wrong = []
        for method, path, kwargs, status, message in cases:
            response = self.request(method, path, **kwargs)
            got = (response.status_code,
                   response.json().get('error_message')
                   if response.content else None)
            if got[0] != status or (message is not None and
                                    got[1] != message):
                wrong.append('%s %s %.80r: expected %s %r, got %s %r' % (
                    (method, path[:60], kwargs, status, message) + got))
        self.assertEqual([], wrong)
        self.assertEqual(before, self.stored())

    def test_text_no_database_can_store(self):
        raw = '{"name": "%s", "start_date": "2031-01-01 10:00", ' \
              '"end_date": "2031-01-02 10:00"}'
        self.assertRefused([
            ('POST', '/v1/leases', {'data': raw % 'a\\u0000b'}, 400,
             UNSTORABLE),
            ('POST', '/v1/leases', {'data': raw % '\\ud800'}, 400,
             UNSTORABLE),
            ('PUT', self.path, {'data': '{"name": "\\udfff"}'}, 400,
             UNSTORABLE),
            # A NUL escaped inside the JSON text of a host query: the
            # query language refuses it.
            ('POST', '/v1/leases', {'body': body(reservations=[dict(
                HOST, resource_properties='["=", "$a", "x\\u0000"]')])},
             400, None),
            ('GET', '/v1/leases/%00', {}, 400,
             'The URL holds a NUL character'),
            ('DELETE', self.path + '%00', {}, 400,
             'The URL holds a NUL character'),
            ('GET', '/v1/leases?name=%00', {}, 400,
             'The URL holds a NUL character'),
            ('GET', '/v1/os-hosts/allocations?lease_id=%00', {}, 400,
             'The URL holds a NUL character'),
        ])

    def test_malformed_json_and_numbers_json_has_not(self):
        self.assertRefused([
            ('POST', '/v1/leases', {'data': b'{"name": NaN}'}, 400,
             'Malformed JSON in request body: NaN is not a JSON value'),
            ('POST', '/v1/leases', {'data': b'{"name": -Infinity}'}, 400,
             'Malformed JSON in request body: -Infinity is not a JSON '
             'value'),
            ('POST', '/v1/leases', {'data': b'{"name": 1' + b'0' * 5000 +
                                    b'}'}, 400, None),
            ('POST', '/v1/leases', {'data': b'\xef\xbb\xbf{}'}, 400, None),
            ('PUT', self.path, {'data': b'{"name": "x",}'}, 400, None),
        ])

    def test_wrong_types_and_values(self):
        self.assertRefused([
            ('POST', '/v1/leases', {'body': body(start_date=12345)}, 400,
             None),
            ('POST', '/v1/leases', {'body': body(end_date=['x'])}, 400,
             None),
            ('POST', '/v1/leases', {'body': body(name={'a': 1})}, 400, None),
            ('POST', '/v1/leases', {'body': body(name=10 ** 30)}, 400, None),
            ('POST', '/v1/leases', {'body': body(reservations={})}, 400,
             'reservations must be a list'),
            ('POST', '/v1/leases', {'body': body(reservations=[None])}, 400,
             'The reservation must be a JSON object'),
            ('POST', '/v1/leases', {'body': body(reservations=[
                dict(HOST, min=-1)])}, 400,
             'Malformed parameter min and max (must be greater than or '
             'equal to 1)'),
            ('POST', '/v1/leases', {'body': body(reservations=[
                dict(HOST, max=10 ** 30)])}, 400, 'Malformed parameter max'),
            ('POST', '/v1/leases', {'body': body(reservations=[
                dict(HOST, min='abc')])}, 400, 'Malformed parameter min'),
            ('PUT', self.path, {'body': {'reservations': [{'id': ['x']}]}},
             400, "Please enter valid reservation IDs. Invalid reservation "
                  "IDs are: ['x']"),
            ('PUT', self.path, {'body': {'reservations': [{'id': {}}]}},
             400, 'Please enter valid reservation IDs. Invalid reservation '
                  'IDs are: {}'),
            ('PUT', self.path, {'body': {'start_date': True}}, 400, None),
        ])

    def test_dates_out_of_range(self):
        cases = []
        for value in ('9999-12-31T23:59:59-14:00', '0001-01-01T00:00+14:00',
                      '9999-12-31 23:59', '99999-01-01 10:00'):
            cases.append(('POST', '/v1/leases',
                          {'body': body(end_date=value)}, 400,
                          INVALID_DATE % value))
            cases.append(('PUT', self.path, {'body': {'end_date': value}},
                          400, INVALID_DATE % value))
        self.assertRefused(cases)

    def test_long_strings_and_big_bodies(self):
        self.assertRefused([
            ('POST', '/v1/leases', {'body': body(name='n' * 81)}, 400,
             'name must be at most 80 characters'),
            ('PUT', self.path, {'body': {'name': '\U0001f600' * 81}}, 400,
             'name must be at most 80 characters'),
            ('GET', '/v1/leases/' + 'x' * 5000, {}, 404,
             "Object with {'lease_id': '%s'} not found" % ('x' * 5000)),
            ('POST', '/v1/leases', {'body': body(name='x' * 200000)}, 413,
             'Request body is larger than 114688 bytes'),
            # Chunked, without a length: refused after reading the limit.
            ('POST', '/v1/leases', {'data': iter([b'{"name": "'] +
                                                 [b'x' * 65536] * 64)},
             413, 'Request body is larger than 114688 bytes'),
            ('POST', '/v1/leases', {'data': b'[' * 100000}, 400, None),
        ])

    def test_unknown_and_protected_fields(self):
        self.assertRefused([
            ('POST', '/v1/leases', {'body': body(colour='blue')}, 400,
             'Unknown field(s): colour'),
            ('PUT', self.path, {'body': {'trust_id': 'x'}}, 400,
             'Field(s) trust_id cannot be set through the API'),
            ('PUT', self.path, {'body': {'events': [{}]}}, 400,
             'Field(s) events cannot be set through the API'),
            ('POST', '/v1/leases', {'body': body(reservations=[
                dict(HOST, colour='blue')])}, 400,
             'Unknown field(s) of a physical:host reservation: colour'),
        ])

    def test_identity_headers_that_cannot_be_stored(self):
        long_project = base.member_of('p' * 256, user='u')
        self.assertRefused([
            ('POST', '/v1/leases', {'body': body(),
                                    'headers': long_project}, 400,
             'X-Project-Id must be at most 255 printable characters'),
            ('POST', '/v1/leases', {'body': body(), 'headers': dict(
                base.member_of('p'), **{'X-User-Id': 'u\x01'})}, 400,
             'X-User-Id must be at most 255 printable characters'),
        ])

    def test_query_strings_are_ignored_never_an_error(self):
        listing = self.request('GET', '/v1/leases').json()
        for query in ("?project_id=' OR 1=1--", '?a=1&a=2&a[b]=3',
                      '?sort_key=id;DROP TABLE leases', '?=&&=', '?a=%',
                      '?' + 'q' * 20000, '?limit=-1&marker=' + 'x' * 300,
                      '?all_projects=true&project_id=other'):
            response = self.request('GET', '/v1/leases' + query)
            self.assertEqual(200, response.status_code, query)
            self.assertEqual(listing, response.json(), query)
        member = self.request('GET', '/v1/leases?project_id=admin',
                              headers=base.member_of('p-nosy'))
        self.assertEqual([], member.json()['leases'])
        for query in ('?%ff=1', '?a=%ff'):
            # Not UTF-8: refused as a malformed request.
            self.assertEqual(400, self.request(
                'GET', '/v1/leases' + query).status_code, query)

    def test_ids_that_are_not_lease_ids(self):
        cases = []
        for lease_id in ("' OR '1'='1", '..%2F..', '%E2%80%AE',
                         str(uuid.uuid4()), self.lease['id'].upper() + 'x'):
            for method in ('GET', 'PUT', 'DELETE'):
                cases.append((method, '/v1/leases/' + lease_id,
                              {'body': {'name': 'x'}}, 404, None))
        self.assertRefused(cases)


class MariaDBSplitHostileInputTest(HostileInputTest):
    backend = 'mysql'
    topology = 'split'


class PostgreSQLSplitHostileInputTest(HostileInputTest):
    backend = 'postgresql'
    topology = 'split'

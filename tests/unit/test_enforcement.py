"""The deciding parts of usage enforcement (HTTP behaviour is tested
against a real service in tests/functional/test_enforcement.py)."""

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from blazar.conf import enforcement as enforcement_opts
from blazar import enforcement
from blazar.enforcement import external_service
from blazar import exceptions

GENERIC = external_service.GENERIC_DENIAL


def lease(start='2030-01-01T00:00:00.000000',
          end='2030-01-02T00:00:00.000000', project='p'):
    return {'name': 'l', 'user_id': 'u', 'project_id': project,
            'start_date': start, 'end_date': end,
            'reservations': [{'resource_type': 'physical:host'}]}


class EnforcementTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        enforcement_opts.register_opts(self.conf)
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def configure(self, **options):
        self.fixture.config(group='enforcement', **options)


class DenialMessageTest(testtools.TestCase):

    def test_only_a_403_with_a_message_is_shown(self):
        cases = [
            (403, b'{"message": "Quota exceeded"}', 'Quota exceeded'),
            (403, b'{}', GENERIC),
            (403, b'{"message": ""}', GENERIC),
            (403, b'{"message": 5}', GENERIC),
            (403, b'["message"]', GENERIC),
            (403, b'not json', GENERIC),
            (403, b'\xff\xfe', GENERIC),
            (500, b'{"message": "internal detail"}', GENERIC),
            (302, b'', GENERIC),
            (None, b'', GENERIC),
        ]
        for status, answer, message in cases:
            self.assertEqual(message,
                             external_service.denial_message(status, answer),
                             (status, answer))


class EndpointsTest(EnforcementTestCase):

    def endpoints(self):
        return external_service.endpoints(self.conf.enforcement)

    def test_base_endpoint_gives_every_hook(self):
        self.configure(external_service_base_endpoint='http://a.example/x/')
        self.assertEqual({'check_create': 'http://a.example/x/check-create',
                          'check_update': 'http://a.example/x/check-update',
                          'on_end': 'http://a.example/x/on-end'},
                         self.endpoints())

    def test_explicit_endpoints_win_and_others_stay_off(self):
        self.configure(external_service_check_create_endpoint='https://c/1')
        self.assertEqual({'check_create': 'https://c/1'}, self.endpoints())
        self.configure(external_service_base_endpoint='http://b',
                       external_service_on_end_endpoint='http://e/end')
        self.assertEqual({'check_create': 'https://c/1',
                          'check_update': 'http://b/check-update',
                          'on_end': 'http://e/end'}, self.endpoints())

    def test_no_endpoint_is_an_error(self):
        self.assertRaises(exceptions.BlazarError, self.endpoints)


class MaxLeaseDurationTest(EnforcementTestCase):

    def enforcer(self, **options):
        self.configure(enabled_filters=['MaxLeaseDurationFilter'], **options)
        return enforcement.UsageEnforcer(self.conf)

    def test_limit_is_inclusive(self):
        enforcer = self.enforcer(max_lease_duration=86400)
        enforcer.check_create(lease())
        error = self.assertRaises(
            exceptions.MaxLeaseDurationExceeded, enforcer.check_update,
            lease(), lease(end='2030-01-02T00:00:01.000000'))
        self.assertEqual('Lease duration of 86401 seconds must be less than '
                         'or equal to the maximum lease duration of 86400 '
                         'seconds.', str(error))

    def test_unlimited_and_exempt(self):
        self.enforcer().check_create(lease(end='2099-01-01T00:00:00.000000'))
        enforcer = self.enforcer(max_lease_duration=60,
                                 max_lease_duration_exempt_project_ids=['x'])
        enforcer.check_create(lease(project='x'))
        self.assertRaises(exceptions.MaxLeaseDurationExceeded,
                          enforcer.check_create, lease(project='y'))


class UsageEnforcerTest(EnforcementTestCase):

    def test_unknown_filter_is_an_error(self):
        self.configure(enabled_filters=['MaxLeaseDurationFilter', 'Nope'])
        error = self.assertRaises(exceptions.BlazarError,
                                  enforcement.UsageEnforcer, self.conf)
        self.assertIn('Unknown filter Nope', str(error))

    def test_no_filters_allow_everything(self):
        enforcer = enforcement.UsageEnforcer(self.conf)
        self.assertEqual([], enforcer.filters)
        enforcer.check_create(lease())
        enforcer.on_end(lease())

    def test_filters_see_a_copy_with_allocations(self):
        original = lease()
        document = enforcement.document(original)
        self.assertEqual([], document['reservations'][0]['allocations'])
        self.assertNotIn('allocations', original['reservations'][0])

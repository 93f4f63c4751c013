import testtools

from blazar.api import microversion


class RequestedVersionTest(testtools.TestCase):

    def test_defaults_to_1_0(self):
        for header in (None, '', '1.0', 'compute 2.1', 'reservation latest',
                       'compute 2.1, reservation 1.0'):
            self.assertEqual('1.0', microversion.requested_version(header))

    def test_malformed(self):
        for version in ('1.a', '01.0', '1', '1.0.0', 'one'):
            error = self.assertRaises(
                microversion.InvalidVersionString,
                microversion.requested_version, 'reservation %s' % version)
            self.assertIn('API Version String %s is of invalid format'
                          % version, str(error))

    def test_out_of_range(self):
        for version in ('1.1', '2.0'):
            self.assertRaises(microversion.UnsupportedVersion,
                              microversion.requested_version,
                              'reservation %s' % version)

    def test_response_headers(self):
        self.assertEqual({'OpenStack-API-Version': 'reservation 1.0',
                          'Vary': 'OpenStack-API-Version'},
                         microversion.response_headers('1.0'))

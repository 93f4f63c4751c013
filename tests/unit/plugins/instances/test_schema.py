"""Validation of virtual:instance reservation requests (texts clients see)."""

import testtools

from blazar import exceptions
from blazar.plugins.instances import schema


def request(**overrides):
    """A request as python-blazarclient's CLI sends it, affinity left out."""
    values = {'vcpus': 2, 'memory_mb': 1024, 'disk_gb': 10, 'amount': 3,
              'affinity': 'None', 'resource_properties': ''}
    values.update(overrides)
    return values


class TestValidate(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.schema = schema.InstanceRequestSchema()

    def assertRejected(self, values, message, validate=None):
        raised = self.assertRaises(exceptions.InvalidInput,
                                   validate or self.schema.validate_create,
                                   values)
        self.assertEqual(message, str(raised))

    def test_normalised_request(self):
        self.assertEqual(
            {'vcpus': 2, 'memory_mb': 1024, 'disk_gb': 10, 'amount': 3,
             'affinity': None, 'resource_properties': ''},
            self.schema.validate_create(request()))

    def test_affinity_spellings(self):
        for value, meant in ((True, True), ('True', True), ('false', False),
                             (False, False), (None, None), ('none', None)):
            self.assertIs(meant, self.schema.validate_create(
                request(affinity=value))['affinity'])
        self.assertRejected(request(affinity='maybe'),
                            'Malformed parameter affinity (must be a bool '
                            'value or None)')
        self.assertRejected(request(affinity=1),
                            'Malformed parameter affinity (must be a bool '
                            'value or None)')

    def test_missing_parameters_joined_without_space(self):
        self.assertRejected({'vcpus': '', 'disk_gb': 1, 'amount': 1,
                             'resource_properties': ''},
                            'Missing parameter vcpus,memory_mb,affinity')

    def test_amount_texts(self):
        self.assertRejected(request(amount='two'),
                            'amount must be an integer')
        self.assertRejected(request(amount=0), 'amount must be >= 1')
        self.assertRejected(request(amount=2 ** 31),
                            'amount must be <= 2147483647')
        self.assertEqual(4, self.schema.validate_create(
            request(amount='4'))['amount'])

    def test_sizes(self):
        self.assertRejected(request(vcpus=0), 'Malformed parameter vcpus')
        self.assertRejected(request(memory_mb=True),
                            'Malformed parameter memory_mb')
        self.assertRejected(request(disk_gb=-1), 'Malformed parameter disk_gb')
        self.assertEqual(0, self.schema.validate_create(
            request(disk_gb=0))['disk_gb'])

    def test_properties_and_unknown_fields(self):
        self.assertEqual('["==", "$gpu", "yes"]', self.schema.validate_create(
            request(resource_properties=['==', '$gpu', 'yes']))[
                'resource_properties'])
        self.assertRaises(exceptions.MalformedRequirements,
                          self.schema.validate_create,
                          request(resource_properties='[1'))
        self.assertRejected(request(min=1), 'Unknown field(s) of a '
                            'virtual:instance reservation: min')

    def test_update_has_only_the_fields_given(self):
        self.assertEqual({'amount': 5},
                         self.schema.validate_update({'amount': 5}))
        self.assertEqual({}, self.schema.validate_update({'vcpus': ''}))
        self.assertRejected({'amount': -1}, 'amount must be >= 1',
                            self.schema.validate_update)

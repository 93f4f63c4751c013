"""Validation of physical:host reservation requests (texts clients see)."""

import testtools

from blazar import exceptions
from blazar.plugins.hosts import schema


def request(**overrides):
    """A request as python-blazarclient's CLI sends it."""
    values = {'min': 1, 'max': 2, 'hypervisor_properties': '',
              'resource_properties': ''}
    values.update(overrides)
    return values


class TestValidateCreate(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.schema = schema.HostRequestSchema()

    def assertRejected(self, values, message, error=exceptions.InvalidInput):
        raised = self.assertRaises(error, self.schema.validate_create, values)
        self.assertEqual(message, str(raised))

    def test_normalised_request(self):
        self.assertEqual(
            {'min': 1, 'max': 2, 'hypervisor_properties': '',
             'resource_properties': '', 'before_end': ''},
            self.schema.validate_create(request()))

    def test_counts_as_digit_strings(self):
        values = self.schema.validate_create(request(min='2', max='3'))
        self.assertEqual((2, 3), (values['min'], values['max']))

    def test_properties_default_to_no_filter(self):
        values = self.schema.validate_create({'min': 1, 'max': 1})
        self.assertEqual('', values['hypervisor_properties'])
        self.assertEqual('', values['resource_properties'])

    def test_properties_as_list_are_stored_as_json(self):
        values = self.schema.validate_create(
            request(resource_properties=['==', '$gpu', 'true']))
        self.assertEqual('["==", "$gpu", "true"]',
                         values['resource_properties'])

    def test_missing_counts(self):
        self.assertRejected(request(min=''), 'Missing parameter min')
        self.assertRejected({'max': 1}, 'Missing parameter min')
        self.assertRejected(request(max=None), 'Missing parameter max')

    def test_malformed_counts(self):
        for bad in ('abc', '1.5', 1.0, True, [1], '٣', '1' * 20):
            self.assertRejected(request(min=bad), 'Malformed parameter min')
            self.assertRejected(request(max=bad), 'Malformed parameter max')

    def test_counts_below_one(self):
        for bad in (0, '0', -1, '-3'):
            self.assertRejected(
                request(min=bad), 'Malformed parameter min and max (must '
                                  'be greater than or equal to 1)')

    def test_min_above_max(self):
        self.assertRejected(
            request(min=3, max=2), 'Invalid values for min/max of hosts. '
                                   'Max must be equal to or larger than min.')

    def test_before_end(self):
        for action in ('', 'default', 'snapshot'):
            self.assertEqual(action, self.schema.validate_create(
                request(before_end=action))['before_end'])
        self.assertRejected(request(before_end='reboot'),
                            'Malformed parameter before_end')

    def test_malformed_properties(self):
        error = self.assertRaises(
            exceptions.MalformedRequirements, self.schema.validate_create,
            request(hypervisor_properties='[">", "vcpus", 2]'))
        self.assertIn('Malformed requirements', str(error))

    def test_unknown_fields_are_named(self):
        self.assertRejected(
            request(amount=2, vcpus=1),
            'Unknown field(s) of a physical:host reservation: amount, vcpus')


class TestValidateUpdate(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.schema = schema.HostRequestSchema()

    def test_only_given_fields(self):
        self.assertEqual({}, self.schema.validate_update({}))
        self.assertEqual({'max': 3}, self.schema.validate_update({'max': '3'}))

    def test_checks_like_create(self):
        self.assertRaises(exceptions.MalformedParameter,
                          self.schema.validate_update, {'min': 'x'})
        self.assertRaises(exceptions.InvalidInput,
                          self.schema.validate_update, {'min': 3, 'max': 2})
        self.assertRaises(exceptions.MalformedRequirements,
                          self.schema.validate_update,
                          {'resource_properties': '[oops'})
        self.assertRaises(exceptions.InvalidInput,
                          self.schema.validate_update, {'id': 'x'})

"""What a physical:host reservation request may contain (checked at the
API edge, without I/O).

python-blazarclient sends ``min``/``max`` as JSON integers when the user
typed digits and ``""`` for the ones left out, and ``""`` for properties
that were not given; error texts are upstream's.
"""

import json
import re

from blazar import exceptions
from blazar.plugins import base
from blazar.plugins import query

RESOURCE_TYPE = 'physical:host'

BEFORE_END_ACTIONS = ('', 'default', 'snapshot')
PROPERTY_FIELDS = ('hypervisor_properties', 'resource_properties')
FIELDS = ('min', 'max', 'before_end') + PROPERTY_FIELDS
# Counts are stored as "min-max" text of at most 36 characters.
MAX_COUNT = 2 ** 31 - 1
_INTEGER = re.compile(r'-?[0-9]{1,12}')


class HostRequestSchema(base.ReservationRequestSchema):

    resource_type = RESOURCE_TYPE
    fields = FIELDS

    def validate_create(self, values):
        self.reject_unknown(values)
        count_min = count(values.get('min'), 'min')
        count_max = count(values.get('max'), 'max')
        check_count_range(count_min, count_max)
        request = {'min': count_min, 'max': count_max,
                   'before_end': before_end(values.get('before_end', ''))}
        for field in PROPERTY_FIELDS:
            request[field] = properties(values.get(field, ''))
        return request

    def validate_update(self, values):
        """Only the fields present; ``min <= max`` is checked against
        the stored values by the plugin when just one of them changes."""
        self.reject_unknown(values)
        request = {}
        for field in ('min', 'max'):
            if field in values:
                request[field] = count(values[field], field)
        if 'min' in request and 'max' in request:
            check_count_range(request['min'], request['max'])
        if 'before_end' in values:
            request['before_end'] = before_end(values['before_end'])
        for field in PROPERTY_FIELDS:
            if field in values:
                request[field] = properties(values[field])
        return request


def count(value, name):
    """A host count: a JSON integer or a string of digits, at least 1."""
    if value is None or value == '':
        raise exceptions.MissingParameter(param=name)
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        value = int(value)
    if (isinstance(value, bool) or not isinstance(value, int)
            or value > MAX_COUNT):
        raise exceptions.MalformedParameter(param=name)
    if value < 1:
        raise exceptions.MalformedParameter(
            param='min and max (must be greater than or equal to 1)')
    return value


def check_count_range(count_min, count_max):
    if count_min > count_max:
        raise exceptions.InvalidInput(
            'Invalid values for min/max of hosts. Max must be equal to or '
            'larger than min.')


def before_end(value):
    if value not in BEFORE_END_ACTIONS:
        raise exceptions.MalformedParameter(param='before_end')
    return value


def properties(value):
    """The filter as stored: JSON text, or ``""`` for none."""
    query.parse(value)
    if isinstance(value, list):
        return json.dumps(value) if value else ''
    return value or ''

"""What a virtual:instance reservation request may contain (checked at the
API edge, without I/O).

python-blazarclient sends what the user typed, digits as JSON integers,
``""`` for the sizes and amount left out and ``"None"`` for an affinity
left out; error texts are upstream's.
"""

from oslo_utils import strutils

from blazar import exceptions
from blazar.plugins import base
from blazar.plugins.hosts import schema as host_schema

RESOURCE_TYPE = 'virtual:instance'

# Size of one instance -> the smallest value that makes sense.
SIZE_MINIMUMS = {'vcpus': 1, 'memory_mb': 1, 'disk_gb': 0}
NUMBERS = tuple(SIZE_MINIMUMS) + ('amount',)
FIELDS = NUMBERS + ('affinity', 'resource_properties')
# A lease for an existing server names it instead of a size and amount:
# the size is its flavor's (read from Nova by the plugin), the amount 1.
SERVER_ID = 'server_id'
# A lease the manager makes for a server at its boot names the host the
# server runs on (``None`` if none); never part of a request to the API.
BOOTED_ON = 'booted_on'
MAX_AMOUNT = 2 ** 31 - 1
# Once a reservation is active its size is the size of servers in Nova.
ACTIVE_UPDATABLE = ('amount',)


class InstanceRequestSchema(base.ReservationRequestSchema):

    resource_type = RESOURCE_TYPE
    fields = FIELDS + (SERVER_ID,)

    def validate_create(self, values):
        self.reject_unknown(values)
        if values.get(SERVER_ID) not in (None, ''):
            return _server_request(values)
        missing = [field for field in FIELDS
                   if field not in values or _empty_number(values, field)]
        if missing:
            # Upstream joins these without a space.
            raise exceptions.MissingParameter(param=','.join(missing))
        return _checked(values)

    def validate_update(self, values):
        """Only the fields present (numbers left empty are absent)."""
        self.reject_unknown(values)
        if SERVER_ID in values:
            raise exceptions.CantUpdateParameter(param=SERVER_ID)
        return _checked({field: value for field, value in values.items()
                         if not _empty_number(values, field)})


def _server_request(values):
    """The request for a lease of the server ``values['server_id']``:
    one slot, no server group; the size comes later, from Nova."""
    server_id = values[SERVER_ID]
    if not isinstance(server_id, str) or not server_id.strip():
        raise exceptions.MalformedParameter(param=SERVER_ID)
    given = [field for field in NUMBERS
             if field in values and not _empty_number(values, field)]
    if given or affinity(values.get('affinity')) is not None:
        raise exceptions.InvalidInput(
            'A %s reservation names either a server_id or a size and an '
            'amount, not both: the server\'s flavor is its size (got %s)'
            % (RESOURCE_TYPE, ', '.join(given) or 'affinity'))
    return {SERVER_ID: server_id.strip(), 'amount': 1, 'affinity': None,
            'resource_properties': host_schema.properties(
                values.get('resource_properties', ''))}


def _empty_number(values, field):
    return field in NUMBERS and values[field] in (None, '')


def _checked(values):
    request = {}
    for field, minimum in SIZE_MINIMUMS.items():
        if field in values:
            request[field] = size(values[field], field, minimum)
    if 'amount' in values:
        request['amount'] = amount(values['amount'])
    if 'affinity' in values:
        request['affinity'] = affinity(values['affinity'])
    if 'resource_properties' in values:
        request['resource_properties'] = host_schema.properties(
            values['resource_properties'])
    return request


def _integer(value):
    """``value`` as an int if it is a JSON integer or a string of digits,
    else ``None``."""
    if isinstance(value, str) and strutils.is_int_like(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def size(value, name, minimum):
    number = _integer(value)
    if number is None or not minimum <= number <= MAX_AMOUNT:
        raise exceptions.MalformedParameter(param=name)
    return number


def amount(value):
    number = _integer(value)
    if number is None:
        raise exceptions.InvalidInput('amount must be an integer')
    if number < 1:
        raise exceptions.InvalidInput('amount must be >= 1')
    if number > MAX_AMOUNT:
        raise exceptions.InvalidInput('amount must be <= %d' % MAX_AMOUNT)
    return number


def affinity(value):
    """``True`` (one host), ``False`` (distinct hosts) or ``None`` (no
    server group), from a JSON boolean or null or their spellings."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip().lower() == 'none':
            return None
        try:
            return strutils.bool_from_string(value, strict=True)
        except ValueError:
            pass
    raise exceptions.MalformedParameter(
        param='affinity (must be a bool value or None)')

"""What /v1/os-hosts requests may contain, checked before they reach the
manager.

An enrollment names the host (``name``, or upstream's ``id``) and may carry
more fields: host fields for the static inventory (``vcpus``, ...) and extra
capabilities, all flat scalars. Which are which is the inventory's business
in the manager; here only the shape and upstream's limits are checked.
"""

from blazar.api import schemas
from blazar import encoding
from blazar import exceptions

MAX_CAPABILITY_KEY = 64
MAX_VALUE_LENGTH = 65535

# Fields Blazar manages; a request can never write them.
READ_ONLY = ('hypervisor_id', 'hypervisor_hostname', 'status', 'trust_id',
             'reservable', 'created_at', 'updated_at', 'generation')
# Host fields; after enrollment only extra capabilities may change.
HOST_FIELDS = READ_ONLY + ('id', 'name', 'service_name', 'vcpus',
                           'memory_mb', 'local_gb', 'cpu_info',
                           'hypervisor_type', 'hypervisor_version',
                           'availability_zone')


def validate_create(body):
    """``(name, other fields)`` of an enrollment request."""
    schemas.require_object(body)
    fields = dict(body)
    name = fields.pop('name', None)
    upstream_id = fields.pop('id', None)
    if name is None and upstream_id is not None:
        name = str(upstream_id)
    if name is None or name == '':
        raise exceptions.MissingParameter(param='name')
    name = schemas.text({'name': name}, 'name')
    if not encoding.storable(name):
        raise exceptions.MalformedParameter(param='name')
    protected = sorted(k for k in fields if k in READ_ONLY)
    if protected:
        raise exceptions.InvalidInput(
            'Field(s) %s cannot be set through the API'
            % ', '.join(protected))
    _check_fields(fields)
    return name, fields


def validate_update(body):
    """The extra capabilities to set."""
    schemas.require_object(body)
    if not body:
        raise exceptions.InvalidInput('No data to update')
    protected = sorted(k for k in body if k in HOST_FIELDS)
    if protected:
        raise exceptions.InvalidInput(
            'Only extra capabilities can be updated, not %s'
            % ', '.join(protected))
    _check_fields(body)
    return dict(body)


def validate_property_update(body):
    schemas.require_object(body)
    schemas.reject_unknown(body, ('private',))
    if not isinstance(body.get('private'), bool):
        raise exceptions.InvalidInput('private must be true or false')
    return body['private']


def _check_fields(fields):
    for key, value in fields.items():
        if len(key) > MAX_CAPABILITY_KEY:
            raise exceptions.InvalidInput('Extra capability key too long')
        if not key or not encoding.storable(key):
            raise exceptions.InvalidInput('Malformed extra capability key %r'
                                          % key)
        fields[key] = _as_text(key, value)


def _as_text(key, value):
    """Values are stored as text: strings as they are, JSON numbers and
    booleans as upstream wrote them (``16``, ``2.5``, ``True``)."""
    if isinstance(value, (bool, int, float)):
        return str(value)
    if (not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH
            or not encoding.storable(value)):
        raise exceptions.MalformedParameter(param=key)
    return value

"""What a lease request may contain, checked before it reaches the manager.

Dates leave here in the wire format; reservation entries are checked by
the schema of their plugin (resource type).
"""

import urllib.parse

from wsme import exc as wsme_exc
from wsme.rest import json as wsme_json
from wsme import types as wtypes

from blazar.api import schemas
from blazar import dates
from blazar import exceptions
from blazar import lease_rules
from blazar.plugins import loader

MAX_RESERVATIONS = 100
MAX_WEBHOOK_LENGTH = 2048

# Server-managed fields: readable in responses, never writable.
READ_ONLY = ('id', 'project_id', 'user_id', 'status', 'trust_id',
             'degraded', 'created_at', 'updated_at')
_SCALAR_FIELDS = ('name', 'start_date', 'end_date', 'before_end_date',
                  'before_end_webhook')
_CREATE_FIELDS = _SCALAR_FIELDS + ('reservations', 'events')


class LeaseScalars(wtypes.Base):
    """The scalar fields of a lease body, typed by WSME."""

    name = wtypes.wsattr(wtypes.text)
    start_date = wtypes.wsattr(wtypes.text)
    end_date = wtypes.wsattr(wtypes.text)
    before_end_date = wtypes.wsattr(wtypes.text)
    before_end_webhook = wtypes.wsattr(wtypes.text)


def _scalars(body):
    fields = {k: body[k] for k in _SCALAR_FIELDS if k in body}
    try:
        typed = wsme_json.fromjson(LeaseScalars, fields)
    except (wsme_exc.ClientSideError, ValueError) as error:
        raise exceptions.InvalidInput(str(error))
    return {k: getattr(typed, k) for k in fields}


def validate_create(body, plugin_schemas):
    schemas.require_object(body)
    schemas.reject_unknown(body, _CREATE_FIELDS, READ_ONLY)
    _reject_events(body)
    values = _scalars(body)
    missing = [k for k in ('name', 'start_date', 'end_date')
               if not values.get(k) and values.get(k) != '']
    if missing:
        raise exceptions.MissingParameter(param=', '.join(missing))
    lease_rules.check_name(values['name'])
    start = dates.parse(values['start_date'])
    end = dates.parse(values['end_date'])
    lease_rules.check_window(start, end, dates.utcnow())
    before_end = _before_end(values.get('before_end_date'), start, end)
    return {'name': values['name'],
            'start_date': dates.to_wire(start),
            'end_date': dates.to_wire(end),
            'before_end_date': dates.to_wire(before_end),
            'before_end_webhook': _webhook(values.get('before_end_webhook')),
            'reservations': [_reservation(r, plugin_schemas)
                             for r in _reservation_list(body)]}


def validate_update(body, plugin_schemas, reservation_types):
    """``reservation_types`` maps the lease's reservation ids to types."""
    schemas.require_object(body)
    schemas.reject_unknown(body, _CREATE_FIELDS, READ_ONLY)
    _reject_events(body)
    values = _scalars(body)
    update = {}
    if 'name' in values:
        lease_rules.check_name(values['name'])
        update['name'] = values['name']
    for key in ('start_date', 'end_date'):
        if values.get(key) is not None:
            update[key] = dates.to_wire(dates.parse(values[key]))
    if values.get('before_end_date') is not None:
        update['before_end_date'] = dates.to_wire(
            dates.parse(values['before_end_date'], allow_now=False))
    if 'before_end_webhook' in values:
        update['before_end_webhook'] = _webhook(values['before_end_webhook'])
    if 'reservations' in body:
        update['reservations'] = [
            _reservation_update(r, plugin_schemas, reservation_types)
            for r in _reservation_list(body)]
    return update


def _webhook(url):
    """An absolute http(s) URL, or None for no webhook (null or "")."""
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    if (parts.scheme not in ('http', 'https') or not parts.hostname or
            len(url) > MAX_WEBHOOK_LENGTH or
            any(c.isspace() or not c.isprintable() for c in url)):
        raise exceptions.InvalidInput(
            'before_end_webhook must be an http or https URL of at most '
            '%d characters' % MAX_WEBHOOK_LENGTH)
    return url


def _reject_events(body):
    # python-blazarclient always sends "events": []; events themselves
    # are derived from the lease dates and cannot be written.
    if body.get('events') not in (None, []):
        raise exceptions.InvalidInput('Field(s) events cannot be set '
                                      'through the API')


def _before_end(value, start, end):
    if value is None:
        return None
    before_end = dates.parse(value, allow_now=False)
    if not start < before_end < end:
        raise exceptions.OutOfLeaseLimits()
    return before_end


def _reservation_list(body):
    reservations = body.get('reservations')
    if reservations is None:
        return []
    if not isinstance(reservations, list):
        raise exceptions.InvalidInput('reservations must be a list')
    if len(reservations) > MAX_RESERVATIONS:
        raise exceptions.InvalidInput('A lease may hold at most %d '
                                      'reservations' % MAX_RESERVATIONS)
    return reservations


def _reservation(request, plugin_schemas):
    schemas.require_object(request, 'reservation')
    resource_type = request.get('resource_type')
    if not resource_type:
        raise exceptions.MissingParameter(param='resource_type')
    schema = loader.get(plugin_schemas, resource_type)
    values = schema.validate_create(
        {k: v for k, v in request.items() if k != 'resource_type'})
    values['resource_type'] = resource_type
    return values


def _reservation_update(request, plugin_schemas, reservation_types):
    schemas.require_object(request, 'reservation')
    reservation_id = request.get('id')
    if reservation_id is None:
        raise exceptions.MissingParameter(param='reservation ID')
    if (not isinstance(reservation_id, str) or
            reservation_id not in reservation_types):
        raise exceptions.InvalidInput(
            'Please enter valid reservation IDs. Invalid reservation IDs '
            'are: %s' % reservation_id)
    resource_type = reservation_types[reservation_id]
    if request.get('resource_type', resource_type) != resource_type:
        raise exceptions.CantUpdateParameter(param='resource_type')
    fields = {k: v for k, v in request.items()
              if k not in ('id', 'resource_type')}
    values = loader.get(plugin_schemas, resource_type).validate_update(fields)
    values['id'] = reservation_id
    return values

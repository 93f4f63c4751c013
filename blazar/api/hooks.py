"""Pecan hooks: what every request gets before and after its controller."""

import json
import urllib.parse

import pecan
from pecan import hooks

from blazar.api import errors
from blazar.api import microversion
from blazar import context
from blazar import encoding
from blazar import exceptions
from blazar import policy


class ServicesHook(hooks.PecanHook):
    """Hands controllers the manager client, the plugin schemas and the
    leases' Keystone trusts."""

    def __init__(self, manager_client, plugin_schemas, trusts):
        self.manager_client = manager_client
        self.plugin_schemas = plugin_schemas
        self.trusts = trusts

    def before(self, state):
        state.request.manager = self.manager_client
        state.request.plugin_schemas = self.plugin_schemas
        state.request.trusts = self.trusts


class ContextHook(hooks.PecanHook):
    """Builds the request context from the identity headers, and decides
    with the policy rule ``admin`` whether the caller is an administrator
    (the manager then shows such callers every project's leases)."""

    def before(self, state):
        request_context = context.RequestContext.from_environ(
            state.request.environ)
        _check_identity(request_context)
        request_context.is_admin = policy.is_admin(request_context)
        state.request.context = request_context


# The width of the user_id and project_id columns.
MAX_IDENTITY_LENGTH = 255


def _check_identity(request_context):
    """Identities fit the columns that store them. Keystone's always do;
    headers trusted in noauth mode might not."""
    for header, value in (('X-User-Id', request_context.user_id),
                          ('X-Project-Id', request_context.project_id)):
        if value and (len(value) > MAX_IDENTITY_LENGTH or
                      not value.isprintable()):
            raise exceptions.InvalidInput(
                '%s must be at most %d printable characters'
                % (header, MAX_IDENTITY_LENGTH))


class MicroversionHook(hooks.PecanHook):
    """Negotiates the API version on /v1 resources and echoes it."""

    def before(self, state):
        state.request.api_version = None
        if _is_v1_resource(state.request.path):
            state.request.api_version = microversion.requested_version(
                state.request.headers.get(microversion.HEADER))

    def after(self, state):
        version = getattr(state.request, 'api_version', None)
        if version is not None and state.response.status_int < 400:
            state.response.headers.update(
                microversion.response_headers(version))


class ErrorHook(hooks.PecanHook):
    """Turns every exception into the JSON error body clients expect."""

    def on_error(self, state, error):
        if isinstance(error, (microversion.InvalidVersionString,
                              microversion.UnsupportedVersion)):
            return errors.protocol_error(error.status, str(error))
        return errors.to_response(error)


def _is_v1_resource(path):
    return path.startswith('/v1/')


class BodyHook(hooks.PecanHook):
    """Parses the JSON body before routing, then hides it from Pecan.

    Pecan would otherwise merge the keys of a JSON body into controller
    arguments (a body could then override a URL's ``lease_id``), and its
    parser turns bad bytes into errors we do not control.
    """

    def __init__(self, max_body_size):
        self.max_body_size = max_body_size

    def on_route(self, state):
        request = state.request
        _reject_nul_in_url(request)
        request.parsed_body = None
        if request.method in ('POST', 'PUT', 'PATCH'):
            request.parsed_body = self._parse(request)
        request.body = b''
        request.content_type = 'application/octet-stream'

    def _parse(self, request):
        if (request.content_length or 0) > self.max_body_size:
            raise errors.BodyTooLarge(limit=self.max_body_size)
        # One byte more than allowed tells a (chunked) body without a
        # length apart, without ever holding more than that in memory.
        raw = request.body_file.read(self.max_body_size + 1)
        if len(raw) > self.max_body_size:
            raise errors.BodyTooLarge(limit=self.max_body_size)
        if not raw.strip():
            return {}
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            raise exceptions.InvalidInput('Request body is not valid UTF-8')
        return parse_json(text)


def _reject_nul_in_url(request):
    # Path and query values reach database queries as ids and filters;
    # PostgreSQL refuses NUL characters outright.
    if ('\x00' in request.path_info or
            b'\x00' in urllib.parse.unquote_to_bytes(request.query_string)):
        raise exceptions.InvalidInput('The URL holds a NUL character')


def parse_json(text):
    """A request body's value: strict JSON only, and no text that a
    database could not store."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError) as error:
        raise exceptions.InvalidInput('Malformed JSON in request body: %s'
                                      % error)
    _reject_unstorable_text(value)
    return value


def _not_json(constant):
    # Python's parser accepts NaN and Infinity; JSON has no such numbers.
    raise ValueError('%s is not a JSON value' % constant)


def _reject_unstorable_text(value):
    """400 for a NUL character (PostgreSQL refuses it) or an unpaired
    surrogate from a \\ud800-style escape (no database encoding has it),
    in any key or string of the body."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and not encoding.storable(item):
            raise exceptions.InvalidInput(
                'Request body holds text that cannot be stored: a NUL '
                'character or an unpaired UTF-16 surrogate')


def request_body():
    """The JSON body of the current request, parsed by ``BodyHook``."""
    return pecan.request.parsed_body

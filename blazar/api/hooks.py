"""Pecan hooks: what every request gets before and after its controller."""

import pecan
from pecan import hooks

from blazar.api import errors
from blazar.api import microversion
from blazar import context
from blazar import exceptions
from blazar import policy


class ServicesHook(hooks.PecanHook):
    """Hands controllers the manager client and the plugin schemas."""

    def __init__(self, manager_client, plugin_schemas):
        self.manager_client = manager_client
        self.plugin_schemas = plugin_schemas

    def before(self, state):
        state.request.manager = self.manager_client
        state.request.plugin_schemas = self.plugin_schemas


class ContextHook(hooks.PecanHook):
    """Builds the request context from the identity headers, and decides
    with the policy rule ``admin`` whether the caller is an administrator
    (the manager then shows such callers every project's leases)."""

    def before(self, state):
        request_context = context.RequestContext.from_environ(
            state.request.environ)
        request_context.is_admin = policy.is_admin(request_context)
        state.request.context = request_context


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
        request.parsed_body = None
        if request.method in ('POST', 'PUT', 'PATCH'):
            request.parsed_body = self._parse(request)
        request.body = b''
        request.content_type = 'application/octet-stream'

    def _parse(self, request):
        if (request.content_length or 0) > self.max_body_size:
            raise errors.BodyTooLarge(limit=self.max_body_size)
        raw = request.body
        if len(raw) > self.max_body_size:
            raise errors.BodyTooLarge(limit=self.max_body_size)
        if not raw.strip():
            return {}
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            raise exceptions.InvalidInput('Request body is not valid UTF-8')
        return errors.parse_json(text)


def request_body():
    """The JSON body of the current request, parsed by ``BodyHook``."""
    return pecan.request.parsed_body

"""Pecan hooks: what every request gets before and after its controller."""

import pecan
from pecan import hooks

from blazar.api import errors
from blazar.api import microversion
from blazar import context


class ServicesHook(hooks.PecanHook):
    """Hands controllers the manager client and the plugin schemas."""

    def __init__(self, manager_client, plugin_schemas, max_body_size):
        self.manager_client = manager_client
        self.plugin_schemas = plugin_schemas
        self.max_body_size = max_body_size

    def before(self, state):
        state.request.manager = self.manager_client
        state.request.plugin_schemas = self.plugin_schemas
        state.request.max_body_size = self.max_body_size


class ContextHook(hooks.PecanHook):
    """Builds the request context from the identity headers."""

    def before(self, state):
        state.request.context = context.RequestContext.from_environ(
            state.request.environ)


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


def request_body():
    """The JSON body of the current request, checked for size and form."""
    request = pecan.request
    if (request.content_length or 0) > request.max_body_size:
        raise errors.BodyTooLarge(limit=request.max_body_size)
    raw = request.body
    if len(raw) > request.max_body_size:
        raise errors.BodyTooLarge(limit=request.max_body_size)
    if not raw.strip():
        return {}
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        raise errors.exceptions.InvalidInput('Request body is not UTF-8')
    return errors.parse_json(text)

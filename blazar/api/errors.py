"""The one place where errors become HTTP responses.

Domain errors keep upstream's body (``error_code``/``error_message``/
``error_name``, the last being the status again); routing and protocol
errors use ``error``/``error_message``; anything unexpected is a logged
500 whose body says nothing about the internals.
"""

from oslo_log import log as logging
import oslo_messaging as messaging
import webob

from blazar import exceptions

LOG = logging.getLogger(__name__)


class BodyTooLarge(exceptions.InvalidInput):
    msg_fmt = 'Request body is larger than %(limit)d bytes'


# Most specific first.
_STATUS = (
    (BodyTooLarge, 413),
    (exceptions.OutOfLeaseLimits, 403),
    (exceptions.InvalidInput, 400),
    (exceptions.NotAuthorized, 403),
    (exceptions.NotFound, 404),
    (exceptions.Conflict, 409),
    (exceptions.ServiceUnavailable, 503),
)

NOT_FOUND_TEXT = ('The requested URL was not found on the server. If you '
                  'entered the URL manually please check your spelling and '
                  'try again.')
METHOD_NOT_ALLOWED_TEXT = 'The method is not allowed for the requested URL.'


def status_of(error):
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def json_response(status, body, headers=None):
    response = webob.Response(status=status, json_body=body,
                              content_type='application/json',
                              charset='UTF-8')
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_error(error):
    status = status_of(error)
    if status == 500:
        LOG.error('Unclassified Blazar error: %s', error)
    return json_response(status, {'error_code': status,
                                  'error_message': _message(error),
                                  'error_name': status})


def _message(error):
    # An error re-raised from RPC appends the remote traceback to str();
    # the message alone is the first argument.
    return error.args[0] if error.args else str(error)


def protocol_error(status, message):
    return json_response(status, {'error': status, 'error_message': message})


def unexpected_error(error):
    if isinstance(error, messaging.MessagingTimeout):
        return domain_error(exceptions.ServiceUnavailable(
            reason='the manager did not answer in time'))
    LOG.error('Unexpected API error', exc_info=error)
    return json_response(500, {'error_code': 500,
                               'error_message': 'Internal Server Error',
                               'error_name': 'INTERNAL_SERVER_ERROR'})


def to_response(error):
    """The response for any exception raised while serving a request."""
    if isinstance(error, exceptions.BlazarError):
        return domain_error(error)
    if isinstance(error, webob.exc.HTTPException):
        return protocol_error(error.code, _protocol_text(error))
    return unexpected_error(error)


def _protocol_text(error):
    if error.code == 404:
        return NOT_FOUND_TEXT
    if error.code == 405:
        return METHOD_NOT_ALLOWED_TEXT
    return error.detail or error.explanation

"""The access log: one line per request, after the response has started.

``<client> "<METHOD> <path>" <status> <request id> <seconds>s`` at INFO,
so that an operator can follow a request id from the access log to the
manager's log and to the other services' logs.
"""

import time

from oslo_log import log as logging
from oslo_middleware import request_id

LOG = logging.getLogger(__name__)


class RequestLog:
    """Must sit inside ``RequestId``, which puts the id in the environ."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        status = ['500']

        def record_status(status_line, headers, exc_info=None):
            status[0] = status_line.split(' ', 1)[0]
            return start_response(status_line, headers, exc_info)

        try:
            return self.application(environ, record_status)
        finally:
            LOG.info('%s "%s %s" %s %s %.3fs',
                     environ.get('REMOTE_ADDR', '-'),
                     environ.get('REQUEST_METHOD'), _path(environ),
                     status[0], environ.get(request_id.ENV_REQUEST_ID, '-'),
                     time.monotonic() - started)


def _path(environ):
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    query = environ.get('QUERY_STRING')
    return '%s?%s' % (path, query) if query else path

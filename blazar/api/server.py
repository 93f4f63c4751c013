"""Serves the WSGI application with cheroot, a threaded WSGI server.

Deployments may instead run ``blazar.api.wsgi:application`` under uwsgi
or gunicorn.

SIGTERM stops the server gracefully: the listening socket and idle
connections close at once, requests in flight run to completion, for at
most ``[DEFAULT] graceful_shutdown_timeout`` seconds (the option
blazar-manager's launcher honours too; 0 waits as long as they take).
"""

import os
import signal
import sys
import threading

from cheroot import wsgi
from oslo_log import log as logging
from oslo_service import opts as service_opts

LOG = logging.getLogger(__name__)


def _exit_on_sigterm(_signum, _frame):
    # Unwinds serve() in the main thread, which then stops the server.
    sys.exit(0)


def _exit_now():
    LOG.warning('Requests still running after graceful_shutdown_timeout; '
                'exiting without them')
    os._exit(1)


def _start_shutdown_deadline(conf):
    # cheroot itself waits for busy workers without limit.
    service_opts.register_service_opts(conf)
    if conf.graceful_shutdown_timeout:
        deadline = threading.Timer(conf.graceful_shutdown_timeout, _exit_now)
        deadline.daemon = True
        deadline.start()


def serve(conf, application):
    server = wsgi.Server((conf.api.host, conf.api.port), application,
                         numthreads=conf.api.workers * 8,
                         request_queue_size=conf.api.backlog,
                         server_name='blazar-api')
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    LOG.info('Serving the API on http://%s:%s', conf.api.host, conf.api.port)
    try:
        server.start()
    except (KeyboardInterrupt, SystemExit):
        LOG.info('Stopping the API')
        _start_shutdown_deadline(conf)
    finally:
        server.stop()

"""Serves the WSGI application with cheroot, a threaded WSGI server.

Deployments may instead run ``blazar.api.wsgi:application`` under uwsgi
or gunicorn.
"""

import signal
import sys

from cheroot import wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def _exit_on_sigterm(_signum, _frame):
    # Unwinds serve() in the main thread; the server then stops cleanly,
    # letting in-flight requests finish.
    sys.exit(0)


def serve(conf, application):
    server = wsgi.Server((conf.api.host, conf.api.port), application,
                         numthreads=conf.api.workers * 8,
                         server_name='blazar-api')
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    LOG.info('Serving the API on http://%s:%s', conf.api.host, conf.api.port)
    try:
        server.start()
    except (KeyboardInterrupt, SystemExit):
        LOG.info('Stopping the API')
    finally:
        server.stop()

"""WSGI entry point for uwsgi or gunicorn: ``blazar.api.wsgi:application``.

Configuration comes from the usual files (``/etc/blazar/blazar.conf``) or
from the files named in ``BLAZAR_CONFIG_FILES`` (comma-separated).
"""

import os

import blazar.cmd  # noqa: F401  (threading backend, no eventlet)
from blazar.api import app
from blazar import rpc


def init_application():
    files = os.environ.get('BLAZAR_CONFIG_FILES')
    conf = blazar.cmd.prepare(
        ['blazar-api'], default_config_files=files.split(',') if files
        else None)
    return app.build(conf, rpc.get_transport(conf))


application = init_application()

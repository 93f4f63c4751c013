"""blazar-all: API and manager in one process, for the quickstart.

Defaults differ from the split deployment: a SQLite file created and
migrated on first start, the in-process message transport, noauth, and
the host and instance plugins with the static inventory (hosts enrolled
with their properties, instance slots counted against them, nothing
asked of Nova).
"""

import sys

from oslo_log import log as logging

from blazar import cmd
from blazar.api import app
from blazar.api import server
from blazar.db import engine
from blazar.db import migration
from blazar.manager import service as manager_service
from blazar import rpc

LOG = logging.getLogger(__name__)

QUICKSTART_DEFAULTS = {
    ('database', 'connection'): 'sqlite:///blazar.sqlite',
    (None, 'transport_url'): 'fake:/',
    (None, 'auth_strategy'): 'noauth',
    ('manager', 'plugins'): ['physical.host.plugin',
                             'virtual.instance.plugin'],
    # Hosts described in the enrollment request: no Nova needed.
    ('physical:host', 'inventory'): 'static',
}


def main():
    conf = cmd.prepare(sys.argv, defaults=QUICKSTART_DEFAULTS)
    engine.configure(conf)
    migration.upgrade('head')
    transport = rpc.get_transport(conf)
    manager = manager_service.ManagerService(conf, transport)
    manager.start()
    try:
        server.serve(conf, app.build(conf, transport))
    finally:
        LOG.info('Stopping the manager')
        manager.stop()

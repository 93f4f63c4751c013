"""blazar-manager: owns the database, the plugins and the event engine."""

import sys

from oslo_log import log as logging
from oslo_service import service

from blazar import cmd
from blazar.db import engine
from blazar.db import migration
from blazar.manager import service as manager_service
from blazar import rpc

LOG = logging.getLogger(__name__)


def main():
    conf = cmd.prepare(sys.argv)
    engine.configure(conf)
    if migration.current() != migration.head():
        sys.exit('The database is not at the latest schema; run '
                 '"blazar-db-manage upgrade head" first.')
    manager = manager_service.ManagerService(conf, rpc.get_transport(conf))
    launcher = service.launch(conf, manager, restart_method='mutate')
    launcher.wait()

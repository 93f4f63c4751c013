"""blazar-api: the REST API, forwarding to blazar-manager over RPC."""

import sys

from blazar import cmd
from blazar.api import app
from blazar.api import server
from blazar import rpc


def main():
    conf = cmd.prepare(sys.argv)
    application = app.build(conf, rpc.get_transport(conf))
    server.serve(conf, application)

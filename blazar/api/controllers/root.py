"""The whole URL surface: version documents and the v1 resources.

    GET  /                      version discovery (300)
    GET  /v1                    the v1 version document
    *    /v1/leases[/{id}]      leases
    *    /v1/os-hosts/...       hosts (physical.host.plugin; see hosts.py)
"""

import pecan

from blazar.api.controllers import hosts
from blazar.api.controllers import leases
from blazar.api import microversion


def _version_document():
    return {'id': 'v1.0', 'status': 'CURRENT',
            'links': [{'href': pecan.request.application_url + '/v1',
                       'rel': 'self'}],
            'min_version': microversion.MIN_VERSION,
            'max_version': microversion.MAX_VERSION}


class V1Controller:
    leases = leases.LeasesController()

    @pecan.expose('json')
    def index(self):
        return {'version': _version_document()}


# "os-hosts" is not a Python name.
pecan.route(V1Controller, 'os-hosts', hosts.HostsController())


class RootController:
    v1 = V1Controller()

    @pecan.expose('json')
    def index(self):
        pecan.response.status = 300
        return {'versions': [_version_document()]}

    @pecan.expose('json')
    def versions(self):
        return self.index()

"""/v1/os-hosts: host enrollment, allocation and property views.

    GET    /v1/os-hosts                       list hosts
    POST   /v1/os-hosts                       enroll a host
    GET    /v1/os-hosts/{id}                  show a host
    PUT    /v1/os-hosts/{id}                  set extra capabilities
    DELETE /v1/os-hosts/{id}                  remove a host
    GET    /v1/os-hosts/allocations           reservations of every host
    GET    /v1/os-hosts/{id}/allocation       reservations of one host
    GET    /v1/os-hosts/properties            extra capability names
    PATCH  /v1/os-hosts/properties/{name}     make a property (non) private

The routes exist only while the physical.host.plugin is enabled.
"""

import pecan
import webob

from blazar.api.controllers import base
from blazar.api import hooks
from blazar.api.schemas import hosts as schema

RESOURCE_TYPE = 'physical:host'


def _authorize(action):
    """404 (like any unknown URL) without the plugin, then the policy."""
    if RESOURCE_TYPE not in pecan.request.plugin_schemas:
        raise webob.exc.HTTPNotFound()
    base.authorize('blazar:oshosts:%s' % action)


def _allocation_filters(query):
    # Other query parameters are ignored, as upstream does.
    return {key: query[key] for key in ('lease_id', 'reservation_id')
            if query.get(key)}


class AllocationsController(base.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        _authorize('get_allocations')
        return {'allocations': base.manager().list_host_allocations(
            base.context(), **_allocation_filters(query))}


class HostAllocationController(base.RestController):

    def __init__(self, host_id):
        self.host_id = host_id

    @pecan.expose('json')
    def get_all(self, **query):
        _authorize('get_allocations')
        return {'allocation': base.manager().get_host_allocation(
            base.context(), self.host_id, **_allocation_filters(query))}


class PropertiesController(base.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        _authorize('get_resource_properties')
        # Any non-empty value counts as true, as upstream reads them.
        return {'resource_properties': base.manager().list_host_properties(
            base.context(), detail=bool(query.get('detail')),
            all_=bool(query.get('all')))}

    @pecan.expose('json')
    def patch(self, property_name):
        _authorize('update_resource_properties')
        private = schema.validate_property_update(hooks.request_body())
        return {'resource_property': base.manager().update_host_property(
            base.context(), property_name, private)}


class HostsController(base.RestController):

    allocations = AllocationsController()
    properties = PropertiesController()

    @pecan.expose('json')
    def get_all(self, **_query):
        _authorize('get')
        return {'hosts': base.manager().list_hosts(base.context())}

    @pecan.expose('json')
    def get_one(self, host_id):
        _authorize('get')
        return {'host': base.manager().get_host(base.context(), host_id)}

    @pecan.expose('json')
    def post(self):
        _authorize('post')
        name, values = schema.validate_create(hooks.request_body())
        return base.created({'host': base.manager().create_host(
            base.context(), name, values)})

    @pecan.expose('json')
    def put(self, host_id):
        _authorize('put')
        values = schema.validate_update(hooks.request_body())
        return {'host': base.manager().update_host(base.context(), host_id,
                                                   values)}

    @base.expose_no_content
    def delete(self, host_id):
        _authorize('delete')
        base.manager().delete_host(base.context(), host_id)
        return base.no_content()

    @pecan.expose()
    def _lookup(self, host_id, *remainder):
        if remainder and remainder[0] == 'allocation':
            return HostAllocationController(host_id), remainder[1:]
        return None

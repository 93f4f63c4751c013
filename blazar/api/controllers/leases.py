"""/v1/leases: create, list, show, update and delete leases."""

from oslo_utils import uuidutils
import pecan
from pecan import rest

from blazar.api.controllers import base
from blazar.api import hooks
from blazar.api.schemas import leases as schema
from blazar import exceptions


def _owner(lease):
    return {'project_id': lease['project_id'], 'user_id': lease['user_id']}


def _visible_lease(lease_id, action):
    """The lease if the caller may see it (404 otherwise), then ``action``
    checked against its owner."""
    if not uuidutils.is_uuid_like(lease_id):
        # Lease ids are UUIDs: anything else is not looked up, so no
        # database sees bytes it may refuse (NUL, huge strings).
        raise exceptions.NotFound(object={'lease_id': lease_id})
    lease = base.manager().get_lease(base.context(), lease_id)
    base.authorize('blazar:leases:get', _owner(lease))
    if action != 'get':
        base.authorize('blazar:leases:%s' % action, _owner(lease))
    return lease


class LeasesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self):
        base.authorize('blazar:leases:get')
        return {'leases': base.manager().list_leases(base.context())}

    @pecan.expose('json')
    def get_one(self, lease_id):
        return {'lease': _visible_lease(lease_id, 'get')}

    @pecan.expose('json')
    def post(self):
        base.authorize('blazar:leases:post')
        context = base.context()
        values = schema.validate_create(hooks.request_body(),
                                        pecan.request.plugin_schemas)
        values.update(user_id=context.user_id, project_id=context.project_id)
        return base.created(
            {'lease': base.manager().create_lease(context, values)})

    @pecan.expose('json')
    def put(self, lease_id):
        lease = _visible_lease(lease_id, 'put')
        types = {r['id']: r['resource_type'] for r in lease['reservations']}
        values = schema.validate_update(hooks.request_body(),
                                        pecan.request.plugin_schemas, types)
        return {'lease': base.manager().update_lease(base.context(),
                                                     lease_id, values)}

    @base.expose_no_content
    def delete(self, lease_id):
        _visible_lease(lease_id, 'delete')
        base.manager().delete_lease(base.context(), lease_id)
        return base.no_content()

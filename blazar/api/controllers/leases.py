"""/v1/leases: create, list, show, update and delete leases."""

from oslo_log import log as logging
from oslo_utils import excutils
from oslo_utils import uuidutils
import pecan

from blazar.api.controllers import base
from blazar.api import hooks
from blazar.api.schemas import leases as schema
from blazar import exceptions

LOG = logging.getLogger(__name__)

# Where keystonemiddleware leaves the caller's token, as an auth plugin.
TOKEN_AUTH = 'keystone.token_auth'


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


def _create_with_trust(context, values):
    """Create the lease with a trust from its owner to Blazar
    (``blazar.trusts``) when the request came with a Keystone token; the
    trust is deleted again if the lease is not created."""
    user_auth = pecan.request.environ.get(TOKEN_AUTH)
    if user_auth is None or not user_auth.has_user_token:
        return base.manager().create_lease(context, values)
    trusts = pecan.request.trusts
    values['trust_id'] = trusts.create(user_auth, context)
    try:
        return base.manager().create_lease(context, values)
    except Exception:
        with excutils.save_and_reraise_exception():
            _forget_trust(trusts, values['trust_id'], user_auth)


def _forget_trust(trusts, trust_id, user_auth):
    try:
        trusts.delete(trust_id, user_auth)
    except exceptions.BlazarError as error:
        LOG.warning('Trust %s of a lease that was not created could not '
                    'be deleted: %s', trust_id, error)


class LeasesController(base.RestController):

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
        return base.created({'lease': _create_with_trust(context, values)})

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

"""Keystone trusts: how Blazar acts for a lease's owner after the request.

A lease's events run long after the token that created it has expired.
So when a lease is created with a Keystone token, the API (which holds
that token) asks Keystone for a trust: the user (trustor) delegates the
roles of their token on the lease's project to Blazar's service user (the
trustee, ``[trustee]``), with impersonation. The trust's id is stored on
the lease and shown as its ``trust_id``.

Event-time work that must be done as the owner uses ``session_for``: the
trustee authenticates with the trust and Keystone issues a token for the
owner in the lease's project, with no more rights than the owner had, so
what it creates belongs to the project (e.g. the snapshots taken before
a host reservation ends). Work that needs more rights than owners have
(moving hosts between Nova aggregates) keeps using the service
credentials of ``[nova]``.

Nothing outlives its lease: the manager deletes the trust when the lease
ends or is deleted (Keystone lets admins delete trusts, and Blazar's
service user holds the admin role anyway, for Nova's aggregates). In
noauth mode there is no token, hence no trust.
"""

import contextlib
import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log as logging

from blazar.conf import nova as nova_conf
from blazar.conf import trustee as trustee_conf
from blazar import exceptions

LOG = logging.getLogger(__name__)

IDENTITY_VERSION = '3'
TRUSTS_PATH = '/OS-TRUST/trusts'
# Scope options of keystoneauth's password plugins: a trust is a scope of
# its own, and Keystone refuses a request naming two scopes.
_SCOPE_OPTIONS = ('project_id', 'project_name', 'project_domain_id',
                  'project_domain_name', 'domain_id', 'domain_name',
                  'system_scope')


class Trusts:
    """Creates, uses and deletes the trusts of leases; thread-safe."""

    def __init__(self, conf):
        self.conf = conf
        self._lock = threading.Lock()
        self._keystone = None
        self._trustee_id = None

    def create(self, user_auth, context):
        """A trust from the caller of ``context`` to the trustee on the
        caller's project, delegating the caller's roles; returns its id.
        ``user_auth`` is the caller's token (keystonemiddleware's
        ``keystone.token_auth``)."""
        body = {'trust': {
            'trustor_user_id': context.user_id,
            'trustee_user_id': self.trustee_user_id(),
            'project_id': context.project_id,
            'impersonation': True,
            'roles': [{'name': role} for role in context.roles]}}
        with keystone_failures('create a trust for the lease',
                               refusal_is_callers=True):
            response = self._identity().post(TRUSTS_PATH, json=body,
                                             auth=user_auth)
        trust_id = response.json()['trust']['id']
        LOG.info('Trust %s from user %s to Blazar on project %s created',
                 trust_id, context.user_id, context.project_id)
        return trust_id

    def delete(self, trust_id, auth=None):
        """Delete the trust (as the trustee unless ``auth`` says
        otherwise); one already gone counts as deleted."""
        if not trust_id:
            return
        with keystone_failures('delete the trust %s' % trust_id):
            try:
                self._identity().delete('%s/%s' % (TRUSTS_PATH, trust_id),
                                        auth=auth)
            except ks_exc.NotFound:
                return
        LOG.info('Trust %s deleted', trust_id)

    def _identity(self):
        """Keystone's v3 API, as the trustee by default."""
        with self._lock:
            if self._keystone is None:
                group = credentials_group(self.conf)
                auth = ks_loading.load_auth_from_conf_options(self.conf,
                                                              group)
                session = ks_loading.load_session_from_conf_options(
                    self.conf, group, auth=auth)
                self._keystone = ks_loading.load_adapter_from_conf_options(
                    self.conf, trustee_conf.GROUP, session=session, auth=auth,
                    version=IDENTITY_VERSION)
            return self._keystone

    def trustee_user_id(self):
        """The trustee's Keystone user id (authenticating it once)."""
        with keystone_failures('authenticate Blazar\'s trustee'):
            identity = self._identity()
            with self._lock:
                if self._trustee_id is None:
                    self._trustee_id = identity.get_user_id()
                return self._trustee_id


def session_for(conf, trust_id):
    """A keystoneauth session acting as a lease's owner, through its
    trust: the trustee's credentials scoped by ``trust_id``."""
    group = credentials_group(conf)
    scope = dict.fromkeys(_SCOPE_OPTIONS)
    auth = ks_loading.load_auth_from_conf_options(conf, group,
                                                  trust_id=trust_id, **scope)
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


def credentials_group(conf):
    """The group holding the trustee's credentials."""
    for group in (trustee_conf.GROUP, nova_conf.GROUP):
        if conf[group].auth_type:
            return group
    raise exceptions.ServiceUnavailable(
        reason='leases need a Keystone trust, and no trustee is '
               'configured: set the credentials of Blazar\'s service user '
               'in [trustee] (or [nova])')


@contextlib.contextmanager
def keystone_failures(action, refusal_is_callers=False):
    """Keystone's failures while doing ``action`` as Blazar errors: 503,
    or 403 when Keystone refused the caller's own token."""
    try:
        yield
    except ks_exc.ClientException as error:
        if refusal_is_callers and isinstance(
                error, (ks_exc.Forbidden, ks_exc.Unauthorized)):
            raise exceptions.NotAuthorized(
                'Keystone refused to %s: %s' % (action, error)) from error
        raise exceptions.ServiceUnavailable(
            reason='Keystone could not %s: %s' % (action, error)) from error

"""How the Nova inventory reaches Nova, Placement and Glance.

One keystoneauth session per configured group ([nova], [placement]; see
``nova_options``), built on first use so that a manager starts even while
Nova is away (and Nova as a lease's owner, through the lease's trust).
Nova is spoken to through python-novaclient on one pinned microversion,
Placement and Glance through keystoneauth adapters.

``failures_as_domain_errors`` is the one place where what those services
(or the network) say becomes a Blazar error: unreachable, failing or
refusing Blazar's credentials is ``ServiceUnavailable``, refusing the
operation is ``Conflict``. Nothing else from these libraries escapes.
"""

import contextlib
import threading

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc

from blazar import exceptions
from blazar.plugins.hosts import nova_options
from blazar import trusts

# 2.53: hypervisors and services are named by UUID (the hypervisor id is
# also its Placement resource provider) and hypervisors are looked up by a
# hostname pattern. 2.88: hypervisors stop reporting capacity; Placement is
# the one source for it.
NOVA_MICROVERSION = '2.88'
PLACEMENT_MICROVERSION = '1.29'
GLANCE_API = '/v2'


class Clients:
    """Lazily built, thread-safe handles on the services."""

    def __init__(self, conf):
        self.conf = conf
        self._lock = threading.Lock()
        self._nova = None
        self._placement = None
        self._glance = None

    @property
    def nova(self):
        with self._lock:
            if self._nova is None:
                self._nova = self._build_nova()
            return self._nova

    @property
    def placement(self):
        with self._lock:
            if self._placement is None:
                self._placement = self._adapter(
                    nova_options.PLACEMENT,
                    default_microversion=PLACEMENT_MICROVERSION)
            return self._placement

    @property
    def glance(self):
        """Glance through the [nova] session: snapshots are Nova's images."""
        with self._lock:
            if self._glance is None:
                self._glance = self._adapter(nova_options.NOVA,
                                             service_type='image')
            return self._glance

    def nova_as_owner(self, lease):
        """Nova as the lease's owner, through the lease's trust
        (``blazar.trusts``): what it creates belongs to the owner's
        project. Blazar's own client for a lease without a trust (created
        without Keystone)."""
        if not lease.get('trust_id'):
            return self.nova
        return self._build_nova(trusts.session_for(self.conf,
                                                   lease['trust_id']))

    def nova_at(self, microversion):
        """Nova as Blazar on a later microversion, for the one call that
        needs it."""
        return self._build_nova(microversion=microversion)

    def _build_nova(self, session=None, microversion=NOVA_MICROVERSION):
        session = session or self._session(nova_options.NOVA)
        options = _adapter_options(self.conf, nova_options.NOVA)
        return nova_client.Client(
            microversion, session=session,
            endpoint_type=options['interface'],
            region_name=options['region_name'],
            service_type=options['service_type'],
            service_name=options['service_name'],
            endpoint_override=options['endpoint_override'],
            connect_retries=options['connect_retries'],
            status_code_retries=options['status_code_retries'])

    def _adapter(self, group, **overrides):
        options = _adapter_options(self.conf, group)
        # Our pinned microversions, never the group's version range.
        for name in ('version', 'min_version', 'max_version'):
            options.pop(name)
        options.update(overrides)
        return ks_adapter.Adapter(self._session(group), **options)

    def _session(self, group):
        """The group's own session, or [nova]'s when it sets no auth."""
        if not self.conf[group].auth_type:
            group = nova_options.NOVA
        auth = ks_loading.load_auth_from_conf_options(self.conf, group)
        return ks_loading.load_session_from_conf_options(self.conf, group,
                                                         auth=auth)


def _adapter_options(conf, group):
    options = {}
    ks_loading.adapter.process_conf_options(conf[group], options)
    return options


@contextlib.contextmanager
def failures_as_domain_errors(service):
    """Turn ``service``'s failures inside the block into Blazar errors."""
    try:
        yield
    except (nova_exc.ClientException, ks_exc.HttpError) as error:
        raise _http_failure(service, error) from error
    except ks_exc.ConnectionError as error:
        raise exceptions.ServiceUnavailable(
            reason='%s cannot be reached: %s' % (service, error)) from error
    except ks_exc.ClientException as error:
        # Catalog lookups, version discovery, Keystone or auth settings.
        raise exceptions.ServiceUnavailable(
            reason='%s cannot be used: %s' % (service, error)) from error


def _http_failure(service, error):
    status = getattr(error, 'code', None) or getattr(error, 'http_status', 0)
    message = getattr(error, 'message', None) or str(error)
    if status in (401, 403):
        return exceptions.ServiceUnavailable(
            reason='%s cannot be used with Blazar\'s service user (HTTP '
                   '%s: %s); check its credentials and roles'
            % (service, status, message))
    if status >= 500 or status in (408, 429):
        return exceptions.ServiceUnavailable(
            reason='%s failed (HTTP %s): %s' % (service, status, message))
    return exceptions.Conflict(
        reason='%s refused the operation (HTTP %s): %s'
        % (service, status, message))

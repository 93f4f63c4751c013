"""Nova scheduler filter that keeps Blazar's hosts for their reservations.

Enable it in nova.conf of the nova-scheduler::

    [filter_scheduler]
    available_filters = nova.scheduler.filters.all_filters
    available_filters = blazar.nova.filter.BlazarFilter
    enabled_filters = ...,AggregateInstanceExtraSpecsFilter,BlazarFilter

How Blazar marks hosts in Nova, and what the filter makes of it:

* Enrolled hosts sit in the freepool aggregate; a host reservation moves its
  hosts into an aggregate named after the reservation id, with availability
  zone ``blazar_<id>`` and metadata ``blazar:owner=<project id>``. Such
  aggregates are the host's *Blazar pools*. A host in any Blazar pool rejects
  ordinary boots.
* A boot with the scheduler hint ``reservation=<id>`` passes only on hosts
  whose Blazar pool named ``<id>`` belongs to the requesting project: its
  ``blazar:owner`` is that project, or the project id is a metadata key (an
  extra project the owner let in).
* Once per scheduling request, the filter also asks the Blazar API which lease
  holds that reservation: the boot passes only while the lease is ACTIVE and
  belongs to the requesting project (or the aggregate lets the requester in
  explicitly). If the API does not answer in time, the aggregate metadata
  alone decides, and a warning says so.
* A flavor with the extra spec ``aggregate_instance_extra_specs:reservation``
  comes from an instance reservation; Placement and
  AggregateInstanceExtraSpecsFilter place it, so this filter lets it pass.
* A lease for an existing server puts the reserved host in an aggregate
  with metadata ``reservation=<id>`` and ``blazar:server=<server uuid>``:
  that server (unshelved at the lease's start) passes there, whatever its
  flavor.
* With ``allow_preemptibles``, a flavor with ``blazar:preemptible=true`` may
  use hosts whose only Blazar pool is the preemptible aggregate.

This module runs inside nova-scheduler: it imports Nova, keystoneauth and the
standard library (plus the oslo libraries Nova is built on), nothing else of
Blazar.
"""

import threading
import weakref

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import strutils

import nova.conf
from nova.scheduler import filters

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF

HOST_GROUP = 'blazar:physical:host'
API_GROUP = 'blazar'

RESERVATION_HINT = 'reservation'
INSTANCE_RESERVATION_SPEC = 'aggregate_instance_extra_specs:reservation'
SERVER_KEY = 'blazar:server'
PREEMPTIBLE_SPEC = 'blazar:preemptible'
AZ_KEY = 'availability_zone'
# Older Blazar releases named reservation availability zones "blazar:<id>".
LEGACY_AZ_PREFIX = 'blazar:'
DEFAULT_API_TIMEOUT = 2

host_opts = [
    cfg.StrOpt('aggregate_freepool_name', default='freepool',
               help='Name of the aggregate that holds the hosts enrolled '
                    'in Blazar and not reserved right now.'),
    cfg.StrOpt('blazar_owner', default='blazar:owner',
               help='Aggregate metadata key holding the project that owns '
                    'a host reservation.'),
    cfg.StrOpt('blazar_az_prefix', default='blazar_',
               help='Prefix of the availability zones of Blazar\'s '
                    'reservation aggregates.'),
    cfg.BoolOpt('allow_preemptibles', default=False,
                help='Let flavors with the extra spec blazar:preemptible=true '
                     'use hosts that are only in the preemptible aggregate.'),
    cfg.StrOpt('preemptible_aggregate', default='freepool',
               help='Aggregate whose hosts accept preemptible instances.'),
]

api_opts = [
    cfg.URIOpt('url',
               help='Blazar API endpoint, including the version '
                    '(http://blazar.example.org:1234/v1). Unset: the filter '
                    'decides from aggregate metadata alone.'),
]


def register_opts(conf):
    conf.register_opts(host_opts, group=HOST_GROUP)
    conf.register_opts(api_opts, group=API_GROUP)
    # Credentials of the service user that reads leases, and the session
    # options: cafile, insecure, timeout (seconds for each call).
    ks_loading.register_session_conf_options(conf, API_GROUP)
    ks_loading.register_auth_conf_options(conf, API_GROUP)
    # Scheduling waits for this call; keep it short unless told otherwise.
    conf.set_default('timeout', DEFAULT_API_TIMEOUT, group=API_GROUP)


def list_opts():
    """Options of this filter, for oslo-config-generator."""
    return [
        (HOST_GROUP, host_opts),
        (API_GROUP, api_opts
         + ks_loading.get_session_conf_options()
         + ks_loading.get_auth_common_conf_options()
         + ks_loading.get_auth_plugin_conf_options('password')),
    ]


register_opts(CONF)


# ------------------------------------------------------------------ deciding

def hint_values(hint):
    """The reservation ids of a scheduler hint (one string or a list)."""
    if hint is None:
        return []
    if isinstance(hint, str):
        return [hint]
    return [str(value) for value in hint]


def blazar_pools(aggregates, opts):
    """The aggregates of a host that Blazar manages."""
    special = {opts.aggregate_freepool_name, opts.preemptible_aggregate}
    prefixes = (opts.blazar_az_prefix, LEGACY_AZ_PREFIX)
    pools = []
    for aggregate in aggregates:
        zone = aggregate.metadata.get(AZ_KEY) or ''
        if aggregate.name in special or zone.startswith(prefixes):
            pools.append(aggregate)
    return pools


def reservation_pool(pools, reservation_ids):
    """The first of the host's Blazar pools named by the hint, or None."""
    for pool in pools:
        if pool.name in reservation_ids:
            return pool
    return None


def grants_project(pool, project_id):
    """The owner listed this project explicitly (extra-project access)."""
    return bool(pool.metadata.get(project_id))


def pool_admits(pool, project_id, opts):
    """Aggregate-metadata rule: the pool is the project's, or lets it in."""
    return (pool.metadata.get(opts.blazar_owner) == project_id
            or grants_project(pool, project_id))


def is_preemptible(extra_specs):
    return strutils.bool_from_string(extra_specs.get(PREEMPTIBLE_SPEC))


# What the Blazar API says about the reservation of one request.
LEASE_ACTIVE_OWNED = 'lease active, owned by the requesting project'
LEASE_ACTIVE_OTHER = 'lease active, owned by another project'
LEASE_NOT_ACTIVE = 'lease not active'
LEASE_UNKNOWN = 'no lease holds this reservation'
API_SILENT = 'Blazar API gave no answer'


def lease_verdicts(leases, reservation_ids, project_id):
    """Map each reservation id to what the lease list says about it."""
    verdicts = dict.fromkeys(reservation_ids, LEASE_UNKNOWN)
    for lease in leases:
        for reservation in lease.get('reservations') or ():
            if reservation.get('id') not in verdicts:
                continue
            if lease.get('status') != 'ACTIVE':
                verdict = LEASE_NOT_ACTIVE
            elif lease.get('project_id') == project_id:
                verdict = LEASE_ACTIVE_OWNED
            else:
                verdict = LEASE_ACTIVE_OTHER
            verdicts[reservation['id']] = verdict
    return verdicts


def reserved_host_passes(pool, project_id, verdict, opts):
    """Decide a host for a boot with a reservation hint.

    ``pool`` is the host's Blazar pool named by the hint (None: the host is
    not part of that reservation); ``verdict`` is what the Blazar API said
    about the reservation's lease, or API_SILENT.
    """
    if pool is None or not pool_admits(pool, project_id, opts):
        return False
    if verdict in (API_SILENT, LEASE_ACTIVE_OWNED):
        return True
    if verdict == LEASE_ACTIVE_OTHER:
        # The aggregate's owner tag disagrees with Blazar; only an explicit
        # grant to this project still lets it in.
        return grants_project(pool, project_id)
    return False


def reserved_for_server(aggregates, instance_uuid):
    """The host holds a reservation made for this very server."""
    return any(aggregate.metadata.get('reservation')
               and aggregate.metadata.get(SERVER_KEY) == instance_uuid
               for aggregate in aggregates)


def unreserved_host_passes(pools, extra_specs, opts):
    """Decide a host for a boot without a reservation hint."""
    if INSTANCE_RESERVATION_SPEC in extra_specs:
        return True
    if opts.allow_preemptibles and is_preemptible(extra_specs):
        return [p.name for p in pools] == [opts.preemptible_aggregate]
    return not pools


# ------------------------------------------------------------------ asking

class LeaseClient:
    """Reads leases from the Blazar API as the configured service user."""

    def __init__(self, conf):
        self._conf = conf
        self._session = None
        self._lock = threading.Lock()

    @property
    def configured(self):
        return bool(self._conf[API_GROUP].url)

    def _get_session(self):
        with self._lock:
            if self._session is None:
                auth = ks_loading.load_auth_from_conf_options(
                    self._conf, API_GROUP)
                self._session = ks_loading.load_session_from_conf_options(
                    self._conf, API_GROUP, auth=auth)
            return self._session

    def leases(self):
        """All leases visible to the service user.

        Raises keystoneauth's ClientException when the API fails or does not
        answer within [blazar] timeout, ValueError when the body is not a
        lease list.
        """
        url = self._conf[API_GROUP].url.rstrip('/') + '/leases'
        body = self._get_session().get(
            url, headers={'Accept': 'application/json'}).json()
        leases = body.get('leases') if isinstance(body, dict) else None
        if not isinstance(leases, list):
            raise ValueError('no lease list in the answer from %s' % url)
        return leases


class BlazarFilter(filters.BaseHostFilter):
    """Reserve Blazar-managed hosts to the leases that hold them."""

    # Nova's default, stated on purpose: the host checks run for every
    # instance of a multi-create request, so the answer never depends on
    # which host list Nova hands over for a later instance (Nova 34 passes
    # the survivors of the previous instance; other releases and callers may
    # not). The checks are cheap; only the Blazar API call is made once per
    # request, through the cache below.
    run_filter_once_per_request = False

    def __init__(self):
        super().__init__()
        self._client = LeaseClient(CONF)
        # id(spec_obj) -> (weak reference to it, {reservation id: verdict}).
        # A scheduling request is one RequestSpec object, shared by all its
        # instances; its entry goes away with it.
        self._verdicts = {}
        self._lock = threading.Lock()

    def host_passes(self, host_state, spec_obj):
        opts = CONF[HOST_GROUP]
        pools = blazar_pools(host_state.aggregates, opts)
        reservation_ids = hint_values(
            spec_obj.get_scheduler_hint(RESERVATION_HINT))
        if reservation_ids:
            pool = reservation_pool(pools, reservation_ids)
            verdict = (self._verdict(spec_obj, pool.name, reservation_ids)
                       if pool is not None else None)
            passes = reserved_host_passes(pool, spec_obj.project_id,
                                          verdict, opts)
        else:
            flavor = spec_obj.flavor
            extra_specs = (flavor.extra_specs or {}) if flavor else {}
            passes = (
                unreserved_host_passes(pools, extra_specs, opts)
                or reserved_for_server(host_state.aggregates,
                                       spec_obj.instance_uuid))
        if not passes:
            LOG.debug('BlazarFilter rejects host %(host)s for project '
                      '%(project)s (reservation hint %(hint)s, Blazar pools '
                      '%(pools)s)',
                      {'host': host_state.host,
                       'project': spec_obj.project_id,
                       'hint': reservation_ids or None,
                       'pools': [p.name for p in pools]})
        return passes

    def _verdict(self, spec_obj, reservation_id, reservation_ids):
        """What Blazar says about a reservation, asked once per request."""
        key = id(spec_obj)
        with self._lock:
            cached = self._verdicts.get(key)
        if cached is not None and cached[0]() is spec_obj:
            return cached[1].get(reservation_id, API_SILENT)
        # Asked without holding the lock: one request filters its hosts one
        # after the other, and concurrent requests must not queue behind a
        # slow Blazar API.
        verdicts = self._ask_blazar(reservation_ids, spec_obj.project_id)
        try:
            ref = weakref.ref(spec_obj,
                              lambda _ref: self._verdicts.pop(key, None))
        except TypeError:
            return verdicts.get(reservation_id, API_SILENT)  # not cacheable
        with self._lock:
            self._verdicts[key] = (ref, verdicts)
        return verdicts.get(reservation_id, API_SILENT)

    def _ask_blazar(self, reservation_ids, project_id):
        if not self._client.configured:
            return dict.fromkeys(reservation_ids, API_SILENT)
        try:
            leases = self._client.leases()
        except (ks_exc.ClientException, ValueError) as e:
            LOG.warning('Blazar API at %(url)s did not answer the lease check '
                        'for reservation %(ids)s (%(error)s); deciding from '
                        'aggregate metadata only.',
                        {'url': CONF[API_GROUP].url,
                         'ids': ', '.join(reservation_ids), 'error': e})
            return dict.fromkeys(reservation_ids, API_SILENT)
        verdicts = lease_verdicts(leases, reservation_ids, project_id)
        LOG.debug('Blazar lease check for project %(project)s: %(verdicts)s',
                  {'project': project_id, 'verdicts': verdicts})
        return verdicts

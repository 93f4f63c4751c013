"""Usage enforcement: operator-chosen filters that may refuse a lease.

``[enforcement] enabled_filters`` names them. The manager asks each one
before it writes a new or rescheduled lease, so a refused request changes
nothing, and tells each one when a lease ends or is deleted before its
end. Filters see leases as plain dicts (``base.Filter``).
"""

import copy

from blazar.enforcement import external_service
from blazar.enforcement import max_lease_duration
from blazar import exceptions

FILTERS = {cls.__name__: cls for cls in (
    max_lease_duration.MaxLeaseDurationFilter,
    external_service.ExternalServiceFilter)}


class UsageEnforcer:
    """The enabled filters; built at manager start, where a wrong option
    raises ``BlazarError``."""

    def __init__(self, conf):
        self.filters = [_filter_class(name)(conf)
                        for name in conf.enforcement.enabled_filters]

    def check_create(self, lease):
        lease = document(lease)
        for enforcement_filter in self.filters:
            enforcement_filter.check_create(requester(lease), lease)

    def check_update(self, current_lease, lease):
        current_lease, lease = document(current_lease), document(lease)
        for enforcement_filter in self.filters:
            enforcement_filter.check_update(requester(current_lease),
                                            current_lease, lease)

    def on_end(self, lease):
        """Tell every filter; raises ``ServiceUnavailable`` if one could
        not be told (after telling the others), so that the caller can
        try again later."""
        lease = document(lease)
        undelivered = []
        for enforcement_filter in self.filters:
            try:
                enforcement_filter.on_end(requester(lease), lease)
            except exceptions.ServiceUnavailable as error:
                undelivered.append(error)
        if undelivered:
            raise undelivered[0]


def _filter_class(name):
    try:
        return FILTERS[name]
    except KeyError:
        raise exceptions.BlazarError(
            'Unknown filter %s in [enforcement] enabled_filters; known: %s'
            % (name, ', '.join(sorted(FILTERS))))


def requester(lease):
    """Whom a lease is for. Filters judge the owner's project, whoever
    (an admin, say) sends the request. ``auth_url`` and ``region_name``
    stay empty until Blazar reads Keystone's catalog."""
    return {'user_id': lease.get('user_id'),
            'project_id': lease.get('project_id'),
            'auth_url': None, 'region_name': None}


def document(lease):
    """A copy of ``lease`` as filters see it: every reservation carries
    ``allocations`` (empty until plugins report what they would take)."""
    lease = copy.deepcopy(lease)
    for reservation in lease.get('reservations', []):
        reservation.setdefault('allocations', [])
    return lease

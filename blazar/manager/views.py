"""Leases as the v1 API shows them (dates in upstream's wire formats)."""

from blazar import dates
from blazar import states


def _common(obj):
    return {'id': obj.id,
            'created_at': dates.to_timestamp(obj.created_at),
            'updated_at': dates.to_timestamp(obj.updated_at)}


def event(ev):
    view = _common(ev)
    # ``error``: why the last attempt failed (retried or ERROR); an
    # addition to upstream's fields, which clients ignore.
    view.update(lease_id=ev.lease_id, event_type=ev.event_type,
                time=dates.to_wire(ev.time), status=ev.status,
                error=ev.error)
    return view


def reservation(res, details):
    view = _common(res)
    view.update(lease_id=res.lease_id, resource_id=res.resource_id,
                resource_type=res.resource_type, status=res.status,
                missing_resources=res.missing_resources,
                resources_changed=res.resources_changed)
    view.update(details.get(res.id, {}))
    return view


def lease(ls, details):
    view = _common(ls)
    view.update(name=ls.name, user_id=ls.user_id, project_id=ls.project_id,
                start_date=dates.to_wire(ls.start_date),
                end_date=dates.to_wire(ls.end_date), trust_id=ls.trust_id,
                status=ls.status, degraded=ls.degraded,
                before_end_webhook=ls.before_end_webhook,
                reservations=[reservation(r, details)
                              for r in ls.reservations],
                events=[event(e) for e in _in_order(ls.events)])
    return view


def _in_order(events):
    """By time, then start < before_end < end: the same order in every
    view, whether the events were just added (in insertion order) or
    loaded (where the database breaks ties as it likes)."""
    return sorted(events, key=lambda e: (e.time,
                                         states.EVENT_ORDER[e.event_type]))


def lease_views(plugins, session, leases):
    """Views of ``leases``, asking each resource plugin once for the
    details of all their reservations of its type."""
    by_type = {}
    for ls in leases:
        for res in ls.reservations:
            by_type.setdefault(res.resource_type, []).append(res)
    details = {}
    for resource_type, reservations in by_type.items():
        plugin = plugins.get(resource_type)
        if plugin is not None:
            details.update(plugin.details(session, reservations))
    return [lease(ls, details) for ls in leases]


def notification_payload(lease_view):
    """Upstream's payload. The lease's own webhook stays out: the bus
    reaches other services, and the URL may carry its owner's secret."""
    payload = dict(lease_view)
    payload['lease_id'] = payload.pop('id')
    del payload['before_end_webhook']
    return payload

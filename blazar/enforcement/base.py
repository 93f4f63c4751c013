"""What a usage enforcement filter is."""

import abc


class Filter(abc.ABC):
    """One operator-chosen rule about leases.

    Every hook gets ``requester`` (``user_id``, ``project_id``,
    ``auth_url``, ``region_name``) and leases as plain dicts: the lease
    fields, dates in the wire format, and ``reservations``, each with its
    request fields and ``allocations``. A check refuses by raising a
    ``blazar.exceptions.EnforcementDenied``; the constructor raises
    ``blazar.exceptions.BlazarError`` when the filter's options are wrong,
    which stops the manager at start.
    """

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def check_create(self, requester, lease):
        """Refuse ``lease`` before it is created, or return."""

    @abc.abstractmethod
    def check_update(self, requester, current_lease, lease):
        """Refuse changing ``current_lease`` into ``lease``, or return."""

    def on_end(self, requester, lease):
        """``lease`` ended, or was deleted before its end."""

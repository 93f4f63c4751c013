"""MaxLeaseDurationFilter: no lease longer than a set number of seconds."""

from blazar import dates
from blazar.enforcement import base
from blazar import exceptions

UNLIMITED = -1


class MaxLeaseDurationFilter(base.Filter):

    def check_create(self, requester, lease):
        self._check(requester, lease)

    def check_update(self, requester, current_lease, lease):
        self._check(requester, lease)

    def _check(self, requester, lease):
        options = self.conf.enforcement
        if (options.max_lease_duration == UNLIMITED or
                requester['project_id'] in
                options.max_lease_duration_exempt_project_ids):
            return
        duration = duration_seconds(lease)
        if duration > options.max_lease_duration:
            raise exceptions.MaxLeaseDurationExceeded(
                duration=duration, max_duration=options.max_lease_duration)


def duration_seconds(lease):
    start = dates.parse_wire(lease['start_date'])
    end = dates.parse_wire(lease['end_date'])
    return int((end - start).total_seconds())

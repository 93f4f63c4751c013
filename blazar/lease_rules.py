"""Rules every new lease obeys, wherever its values come from: a request
to the API, or a plugin making a lease on the service's own initiative
(e.g. for a server booted with lease metadata)."""

from blazar import dates
from blazar import exceptions

MAX_NAME_LENGTH = 80


def check_name(name):
    if not name or not name.strip():
        raise exceptions.InvalidInput('name must not be empty')
    if len(name) > MAX_NAME_LENGTH:
        raise exceptions.InvalidInput('name must be at most %d characters'
                                      % MAX_NAME_LENGTH)


def check_window(start, end, now):
    """A new lease starts no earlier than the current minute and ends
    after it starts."""
    if start < dates.start_of_minute(now):
        raise exceptions.InvalidInput('Start date must be later than '
                                      'current date')
    if end <= start:
        raise exceptions.InvalidInput('End date must be later than start '
                                      'date.')

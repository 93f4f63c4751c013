"""Dates as the v1 API reads and writes them.

Input: ``now``, upstream's ``%Y-%m-%d %H:%M``, the same with seconds, or
ISO 8601 with optional fraction and offset. Everything is stored as naive
UTC. Output keeps upstream's ``%Y-%m-%dT%H:%M:%S.%f`` (clients parse it).
"""

import datetime
import re

from oslo_utils import timeutils

from blazar import exceptions

NOW = 'now'
LEGACY_FORMAT = '%Y-%m-%d %H:%M'
WIRE_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'
TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S'

# Plugins add margins (cleaning time, notice periods) to lease dates; a
# bound far below datetime.max keeps that arithmetic from overflowing.
LATEST = datetime.datetime(9000, 1, 1)

_ACCEPTED = re.compile(
    r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?'
    r'(Z|[+-]\d{2}:?\d{2})?$')


def utcnow():
    return timeutils.utcnow().replace(microsecond=0)


def parse(value, allow_now=True):
    """Parse a user-supplied date into a naive UTC datetime."""
    if allow_now and value == NOW:
        return utcnow()
    if not isinstance(value, str) or not _ACCEPTED.match(value):
        raise exceptions.InvalidDate(date=value, date_format=LEGACY_FORMAT)
    try:
        parsed = _as_naive_utc(datetime.datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        # OverflowError: an offset moving the date past year 1 or 9999.
        raise exceptions.InvalidDate(date=value, date_format=LEGACY_FORMAT)
    if parsed >= LATEST:
        raise exceptions.InvalidDate(date=value, date_format=LEGACY_FORMAT)
    return parsed


def _as_naive_utc(value):
    if value.tzinfo is None:
        return value
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def parse_wire(value):
    """Parse a date this service wrote (RPC payloads, stored views)."""
    return datetime.datetime.strptime(value, WIRE_FORMAT)


def to_wire(value):
    return value.strftime(WIRE_FORMAT) if value is not None else None


def to_timestamp(value):
    """``created_at``/``updated_at`` as upstream shows them."""
    if value is None:
        return None
    return value.isoformat(' ') if value.microsecond else value.strftime(
        TIMESTAMP_FORMAT)


def start_of_minute(value):
    return value.replace(second=0, microsecond=0)

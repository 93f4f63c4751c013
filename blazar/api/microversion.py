"""``OpenStack-API-Version: reservation X.Y`` negotiation (only 1.0)."""

import re

from blazar import exceptions

HEADER = 'OpenStack-API-Version'
SERVICE_TYPE = 'reservation'
MIN_VERSION = MAX_VERSION = '1.0'
_FORMAT = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class InvalidVersionString(exceptions.BlazarError):
    status = 400
    msg_fmt = ('API Version String %(version)s is of invalid format. Must '
               'be of format MajorNum.MinorNum.')


class UnsupportedVersion(exceptions.BlazarError):
    status = 406
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum is '
               '%(min_version)s and maximum is %(max_version)s.')


def requested_version(header_value):
    """The version a request asks for; raises on malformed or unknown."""
    requested = _find_service_version(header_value or '')
    if requested is None or requested == 'latest':
        return MAX_VERSION
    match = _FORMAT.match(requested)
    if not match:
        raise InvalidVersionString(version=requested)
    version = (int(match.group(1)), int(match.group(2)))
    if not _as_tuple(MIN_VERSION) <= version <= _as_tuple(MAX_VERSION):
        raise UnsupportedVersion(
            version=requested, min_version=MIN_VERSION,
            max_version=MAX_VERSION)
    return requested


def _find_service_version(header_value):
    for item in header_value.split(','):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == SERVICE_TYPE:
            return parts[1].strip()
    return None


def _as_tuple(version):
    major, minor = version.split('.')
    return int(major), int(minor)


def response_headers(version):
    return {HEADER: '%s %s' % (SERVICE_TYPE, version), 'Vary': HEADER}

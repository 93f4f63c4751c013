"""Domain errors raised below the API.

They carry no HTTP status: ``blazar.api.errors`` maps each family to one.
Messages are the texts clients already know from the v1 API; ``msg_fmt``
is filled from the keyword arguments. Every class here may cross RPC, so
the API process re-raises the same class the manager raised.
"""


class BlazarError(Exception):
    """Base of every error Blazar raises on purpose."""

    msg_fmt = 'An unknown error occurred'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.msg_fmt % kwargs if kwargs else self.msg_fmt
        super().__init__(message)


# --- the request is wrong (400) -------------------------------------------

class InvalidInput(BlazarError):
    msg_fmt = 'Invalid input: %(reason)s'


class MissingParameter(InvalidInput):
    msg_fmt = 'Missing parameter %(param)s'


class MalformedParameter(InvalidInput):
    msg_fmt = 'Malformed parameter %(param)s'


class MalformedRequirements(InvalidInput):
    msg_fmt = 'Malformed requirements %(rqrms)s'


class InvalidDate(InvalidInput):
    msg_fmt = ('%(date)s is an invalid date. Required format: '
               '%(date_format)s')


class InvalidPeriod(InvalidInput):
    msg_fmt = 'The lease period is invalid: %(reason)s'


class UnsupportedResourceType(InvalidInput):
    msg_fmt = 'The %(resource_type)s resource type is not supported'


class EnforcementDenied(InvalidInput):
    """A usage enforcement filter refused the lease; the message is the
    filter's (upstream answers 400)."""

    msg_fmt = 'The lease was refused by usage enforcement'


class MaxLeaseDurationExceeded(EnforcementDenied):
    msg_fmt = ('Lease duration of %(duration)d seconds must be less than or '
               'equal to the maximum lease duration of %(max_duration)d '
               'seconds.')


# --- the caller may not do this (403) --------------------------------------

class NotAuthorized(BlazarError):
    msg_fmt = 'Not authorized'


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = "Policy doesn't allow %(action)s to be performed"


class OutOfLeaseLimits(NotAuthorized):
    msg_fmt = 'Datetime is out of lease limits'


# --- the thing does not exist (404) ----------------------------------------

class NotFound(BlazarError):
    msg_fmt = 'Object with %(object)s not found'


# --- the state of the world forbids it (409) -------------------------------

class Conflict(BlazarError):
    msg_fmt = 'Conflict: %(reason)s'


class InvalidStatus(Conflict):
    msg_fmt = 'Invalid lease status.'


class CantUpdateParameter(Conflict):
    msg_fmt = '%(param)s cannot be updated'


class NotEnoughResources(Conflict):
    msg_fmt = 'Not enough hosts available'


class ClaimConflict(Conflict):
    """Another transaction claimed the same capacity first; retry."""

    msg_fmt = 'Capacity was claimed concurrently'


# --- something we depend on is away (503) ----------------------------------

class ServiceUnavailable(BlazarError):
    msg_fmt = 'A service Blazar depends on is unavailable: %(reason)s'

"""Request validation at the edge: nothing unchecked crosses RPC."""

from blazar import exceptions


def require_object(body, what='request body'):
    if not isinstance(body, dict):
        raise exceptions.InvalidInput('The %s must be a JSON object' % what)
    return body


def reject_unknown(body, allowed, forbidden=()):
    """400 naming keys that may not be written, then keys we don't know."""
    protected = sorted(k for k in body if k in forbidden)
    if protected:
        raise exceptions.InvalidInput(
            'Field(s) %s cannot be set through the API'
            % ', '.join(protected))
    unknown = sorted(k for k in body if k not in allowed)
    if unknown:
        raise exceptions.InvalidInput('Unknown field(s): %s'
                                      % ', '.join(unknown))


def text(body, key, max_length=255, required=True):
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise exceptions.InvalidInput('%s must be a string' % key)
    if len(value) > max_length:
        raise exceptions.InvalidInput('%s must be at most %d characters'
                                      % (key, max_length))
    return value

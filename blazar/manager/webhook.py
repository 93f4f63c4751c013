"""The before-end webhook: an HTTP POST warning that a lease will end.

Delivery is at least once: a failed POST raises ``ServiceUnavailable``,
which the event engine retries with backoff; a manager that dies after
the POST but before recording the event as done makes another manager
post again. ``X-Blazar-Event-Id`` lets the receiver drop repeats.
"""

import json
import urllib.error
import urllib.request

from blazar import exceptions


def deliver(url, timeout, event_id, lease_view):
    body = json.dumps({'event': 'before_end_lease',
                       'lease': lease_view}).encode('utf-8')
    request = urllib.request.Request(
        url, data=body, method='POST',
        headers={'Content-Type': 'application/json',
                 'User-Agent': 'blazar-manager',
                 'X-Blazar-Event-Id': event_id})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise exceptions.ServiceUnavailable(
            reason='before_end webhook %s answered %d' % (url, error.code))
    except (OSError, ValueError) as error:
        # URLError, timeouts and refused connections are all OSErrors.
        raise exceptions.ServiceUnavailable(
            reason='before_end webhook %s: %s' % (url, error))

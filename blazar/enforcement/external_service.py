"""ExternalServiceFilter: a service run by the operator approves leases.

Blazar POSTs JSON ``{"context": <requester>, "lease": <lease>}`` (plus
``"current_lease"`` on update) to the hook's endpoint, and reads:

- 204: allowed;
- 403 with ``{"message": "<text>"}``: refused, the user sees the text;
- anything else (other codes, redirects, a 403 without a message):
  refused with a generic message, because a broken approver must not
  approve.

A service that cannot be reached at all (refused connection, time out)
refuses or allows checks as ``[enforcement] external_service_unreachable``
says. ``on_end`` raises ``ServiceUnavailable`` unless the service answered
with a 2xx, so that its caller delivers it again: at least once, and the
service may see an end twice.
"""

import http.client
import json
import urllib.error
import urllib.request

from oslo_log import log as logging

from blazar.enforcement import base
from blazar import exceptions

LOG = logging.getLogger(__name__)

GENERIC_DENIAL = 'External service enforcement filter denied the request.'
# A denial's message is for users; a huge answer is a broken service.
MAX_ANSWER_BYTES = 64 * 1024

# hook -> (path under the base endpoint, option naming it explicitly)
HOOKS = {
    'check_create': ('check-create',
                     'external_service_check_create_endpoint'),
    'check_update': ('check-update',
                     'external_service_check_update_endpoint'),
    'on_end': ('on-end', 'external_service_on_end_endpoint'),
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET without the body;
    # an approver's 204 must answer the request Blazar actually sent.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class ExternalServiceFilter(base.Filter):

    def __init__(self, conf):
        super().__init__(conf)
        self.options = conf.enforcement
        self.endpoints = endpoints(self.options)

    def check_create(self, requester, lease):
        self._check('check_create', {'context': requester, 'lease': lease})

    def check_update(self, requester, current_lease, lease):
        self._check('check_update', {'context': requester,
                                     'current_lease': current_lease,
                                     'lease': lease})

    def on_end(self, requester, lease):
        url = self.endpoints.get('on_end')
        if url is None:
            return
        try:
            status, _answer = self._post(url, {'context': requester,
                                               'lease': lease})
        except OSError as error:
            raise exceptions.ServiceUnavailable(
                reason='enforcement service %s: %s' % (url, error))
        if status is None or not 200 <= status < 300:
            raise exceptions.ServiceUnavailable(
                reason='enforcement service %s answered %s' % (url, status))

    def _check(self, hook, body):
        url = self.endpoints.get(hook)
        if url is None:
            return
        try:
            status, answer = self._post(url, body)
        except OSError as error:
            self._unreachable(url, error)
            return
        if status != 204:
            LOG.info('Enforcement service %s refused (%s)', url, status)
            raise exceptions.EnforcementDenied(denial_message(status, answer))

    def _unreachable(self, url, error):
        LOG.warning('Enforcement service %s unreachable: %s; the request '
                    'is %sed', url, error,
                    self.options.external_service_unreachable)
        if self.options.external_service_unreachable != 'allow':
            raise exceptions.EnforcementDenied(GENERIC_DENIAL)

    def _post(self, url, body):
        """(status, body bytes) of the answer; OSError if none came."""
        request = urllib.request.Request(
            url, data=json.dumps(body).encode('utf-8'), method='POST',
            headers=self._headers())
        try:
            with _OPENER.open(
                    request,
                    timeout=self.options.external_service_timeout) as answer:
                return answer.status, answer.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            return error.code, error.read(MAX_ANSWER_BYTES)
        except http.client.HTTPException as error:
            # Something answered, but not HTTP: a broken service.
            LOG.warning('Enforcement service %s: %r', url, error)
            return None, b''

    def _headers(self):
        headers = {'Content-Type': 'application/json',
                   'User-Agent': 'blazar-manager'}
        if self.options.external_service_token:
            headers['X-Auth-Token'] = self.options.external_service_token
        return headers


def denial_message(status, answer):
    """The service's own message for a well-formed 403, else the generic
    one."""
    if status != 403:
        return GENERIC_DENIAL
    try:
        message = json.loads(answer.decode('utf-8')).get('message')
    except (ValueError, AttributeError):
        return GENERIC_DENIAL
    if not isinstance(message, str) or not message.strip():
        return GENERIC_DENIAL
    return message


def endpoints(options):
    """hook -> URL, each an explicit option or the base endpoint plus the
    hook's path (oslo.config has checked that they are http(s) URLs with
    a host). Raises ``BlazarError`` when none is set."""
    base_url = options.external_service_base_endpoint
    found = {}
    for hook, (path, option) in HOOKS.items():
        if options[option]:
            found[hook] = options[option]
        elif base_url:
            found[hook] = '%s/%s' % (base_url.rstrip('/'), path)
    if not found:
        raise exceptions.BlazarError(
            'ExternalServiceFilter is enabled but [enforcement] '
            'external_service_base_endpoint is not set')
    return found

"""Helpers every resource controller uses."""

import pecan

from blazar import policy


def context():
    return pecan.request.context


def manager():
    return pecan.request.manager


def authorize(action, target=None):
    policy.authorize(context(), action, target)


def created(body):
    pecan.response.status = 201
    return body


def no_content():
    pecan.response.status = 204
    return None


def expose_no_content(func):
    """Expose a handler that answers 204 with an empty body.

    Clients send "Accept: application/json": a bare expose() (text/html)
    would answer them 406, and the json template would render ``null``,
    a body a 204 must not have (it breaks keep-alive connections).
    """
    return pecan.expose(content_type='application/json')(
        pecan.expose()(func))

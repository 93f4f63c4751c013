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

"""Policy enforcement with oslo.policy (rules in ``blazar.policies``).

Rules default to the code in ``blazar.policies``; a file named by
``[oslo_policy] policy_file`` overrides any of them (see
``etc/blazar/policy.yaml.sample``).
"""

import threading

from oslo_config import cfg
from oslo_policy import policy

from blazar import exceptions
from blazar import policies

ADMIN_RULE = 'admin'

_ENFORCER = None
# oslo.policy fills its rule table in place, lazily on the first check
# and again whenever the policy file changes; a check running in another
# thread meanwhile finds no rule and is denied. Checks take microseconds,
# so they simply take turns.
_LOCK = threading.Lock()


def get_enforcer():
    """The process's enforcer (also the oslo.policy generator's hook)."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            enforcer = policy.Enforcer(cfg.CONF)
            enforcer.register_defaults(policies.list_rules())
            _ENFORCER = enforcer
    return _ENFORCER


def _enforce(rule, target, context):
    enforcer = get_enforcer()
    with _LOCK:
        return enforcer.enforce(rule, target, context.to_policy_values())


def _own_target(context):
    # Rules like ``project_id:%(project_id)s`` then hold for the caller's
    # new objects.
    return {'project_id': context.project_id, 'user_id': context.user_id}


def authorize(context, action, target=None):
    """Raise ``PolicyNotAuthorized`` unless ``context`` may do ``action``
    on ``target`` (by default, the caller's own project and user)."""
    if not _enforce(action, target or _own_target(context), context):
        raise exceptions.PolicyNotAuthorized(action=action)


def is_admin(context):
    """Whether the rule ``admin`` holds: such callers see every project."""
    return bool(_enforce(ADMIN_RULE, _own_target(context), context))

"""Policy enforcement with oslo.policy (rules in ``blazar.policies``)."""

from oslo_config import cfg
from oslo_policy import policy

from blazar import exceptions
from blazar import policies

_ENFORCER = None


def get_enforcer():
    """The process's enforcer (also the oslo.policy generator's hook)."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(cfg.CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def authorize(context, action, target=None):
    """Raise ``PolicyNotAuthorized`` unless ``context`` may do ``action``.

    ``target`` defaults to the caller's own project and user, so rules
    like ``project_id:%(project_id)s`` hold for the caller's new objects.
    """
    target = target or {'project_id': context.project_id,
                        'user_id': context.user_id}
    credentials = context.to_policy_values()
    if not get_enforcer().enforce(action, target, credentials):
        raise exceptions.PolicyNotAuthorized(action=action)

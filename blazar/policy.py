"""Policy enforcement with oslo.policy (rules in ``blazar.policies``).

Rules default to the code in ``blazar.policies``; a file named by
``[oslo_policy] policy_file`` overrides any of them (see
``etc/blazar/policy.yaml.sample``).
"""

from oslo_config import cfg
from oslo_policy import policy

from blazar import exceptions
from blazar import policies

ADMIN_RULE = 'admin'

_ENFORCER = None


def get_enforcer():
    """The process's enforcer (also the oslo.policy generator's hook)."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(cfg.CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def _own_target(context):
    # Rules like ``project_id:%(project_id)s`` then hold for the caller's
    # new objects.
    return {'project_id': context.project_id, 'user_id': context.user_id}


def authorize(context, action, target=None):
    """Raise ``PolicyNotAuthorized`` unless ``context`` may do ``action``
    on ``target`` (by default, the caller's own project and user)."""
    if not get_enforcer().enforce(action, target or _own_target(context),
                                  context.to_policy_values()):
        raise exceptions.PolicyNotAuthorized(action=action)


def is_admin(context):
    """Whether the rule ``admin`` holds: such callers see every project."""
    return bool(get_enforcer().enforce(ADMIN_RULE, _own_target(context),
                                       context.to_policy_values()))

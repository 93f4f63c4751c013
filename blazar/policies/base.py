"""Rules the resource rules are built from."""

from oslo_policy import policy

RULE_ADMIN = 'rule:admin'
RULE_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
RULE_READER_OR_ADMIN = 'rule:project_reader_or_admin'

# Deployments' policy files may still refer to the rule the project-role
# rules replaced; it stays defined so that such files keep working, and
# with ``[oslo_policy] enforce_new_defaults = False`` an override of it
# still applies to the rules below.
_DEPRECATED_OWNER = policy.DeprecatedRule(
    'admin_or_owner', 'rule:admin or project_id:%(project_id)s',
    deprecated_reason='Project readers and members are told apart by '
                      'their roles',
    deprecated_since='2023.2')

rules = [
    policy.RuleDefault('admin', 'is_admin:True or role:admin',
                       description='Administrators of the cloud.'),
    policy.RuleDefault('admin_or_owner',
                       'rule:admin or project_id:%(project_id)s',
                       description='Deprecated: administrators, or anyone '
                                   'in the owning project.'),
    policy.RuleDefault('project_member_api',
                       'role:member and project_id:%(project_id)s',
                       description='Members of the owning project.',
                       deprecated_rule=_DEPRECATED_OWNER),
    policy.RuleDefault('project_reader_api',
                       'role:reader and project_id:%(project_id)s',
                       description='Readers of the owning project.',
                       deprecated_rule=_DEPRECATED_OWNER),
    policy.RuleDefault('project_member_or_admin',
                       'rule:project_member_api or rule:admin',
                       description='Members of the owning project, or '
                                   'administrators.'),
    policy.RuleDefault('project_reader_or_admin',
                       'rule:project_reader_api or rule:admin',
                       description='Readers of the owning project, or '
                                   'administrators.'),
]


def list_rules():
    return rules

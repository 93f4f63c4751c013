"""Policy rules keep upstream's names and defaults; the sample matches."""

import os

import testtools

from blazar import policies
from tests import fixtures as blazar_fixtures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, 'etc', 'blazar', 'policy.yaml.sample')
GENERATOR_CONFIG = os.path.join(ROOT, 'etc', 'oslo-policy-generator',
                                'blazar.conf')
REGENERATE = ('oslopolicy-sample-generator --config-file '
              'etc/oslo-policy-generator/blazar.conf')

# Operators' policy files name these rules; their defaults are the
# behaviour clients know.
UPSTREAM_DEFAULTS = {
    'admin': 'is_admin:True or role:admin',
    'admin_or_owner': 'rule:admin or project_id:%(project_id)s',
    'project_member_api': 'role:member and project_id:%(project_id)s',
    'project_reader_api': 'role:reader and project_id:%(project_id)s',
    'project_member_or_admin': 'rule:project_member_api or rule:admin',
    'project_reader_or_admin': 'rule:project_reader_api or rule:admin',
    'blazar:leases:get': 'rule:project_reader_or_admin',
    'blazar:leases:post': 'rule:project_member_or_admin',
    'blazar:leases:put': 'rule:project_member_or_admin',
    'blazar:leases:delete': 'rule:project_member_or_admin',
    'blazar:oshosts:get': 'rule:admin',
    'blazar:oshosts:post': 'rule:admin',
    'blazar:oshosts:put': 'rule:admin',
    'blazar:oshosts:delete': 'rule:admin',
    'blazar:oshosts:get_allocations': 'rule:admin',
    'blazar:oshosts:get_resource_properties': 'rule:admin',
    'blazar:oshosts:update_resource_properties': 'rule:admin',
}


class PolicyDefaultsTest(testtools.TestCase):

    def test_upstream_rule_names_and_defaults(self):
        registered = {rule.name: rule.check_str
                      for rule in policies.list_rules()}
        for name, check in UPSTREAM_DEFAULTS.items():
            self.assertEqual(check, registered.get(name), name)

    def test_resource_rules_are_project_scoped(self):
        for rule in policies.list_rules():
            if rule.name.startswith('blazar:'):
                self.assertEqual(['project'], rule.scope_types, rule.name)


class PolicySampleTest(testtools.TestCase):

    def test_sample_matches_the_code(self):
        # The generator finds the rules through the oslo.policy.policies
        # entry point, as operators' tooling does.
        generated = blazar_fixtures.generate_sample(
            self, 'oslopolicy-sample-generator', GENERATOR_CONFIG)
        with open(SAMPLE) as committed:
            self.assertEqual(generated, committed.read(),
                             'policy sample is out of date; regenerate '
                             'with: ' + REGENERATE)

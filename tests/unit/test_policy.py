"""Policy rules keep upstream's names and defaults; the sample matches."""

import os
import threading
import time

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from blazar import context
from blazar import policies
from blazar import policy
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


class ConcurrentChecksTest(testtools.TestCase):

    def test_first_checks_from_many_threads_all_see_the_rules(self):
        # The API serves requests on threads; the enforcer builds its rule
        # table on the first check, which once denied a concurrent admin.
        member = context.RequestContext(project_id='p', user_id='u',
                                        roles=['member', 'reader'])
        self.useFixture(config_fixture.Config(cfg.CONF))
        cfg.CONF([], default_config_files=[])
        self.useFixture(fixtures.MonkeyPatch('blazar.policy._ENFORCER', None))
        # Registration that takes a while widens the window a thread
        # switch needs to fall into.
        rules = policies.list_rules()

        def slow_rules():
            time.sleep(0.05)
            return rules

        self.useFixture(fixtures.MonkeyPatch('blazar.policies.list_rules',
                                             slow_rules))
        self.assertEqual([], self._check_at_once(member, threads=8))

    @staticmethod
    def _check_at_once(member, threads):
        start = threading.Barrier(threads)
        denied = []

        def check():
            start.wait()
            try:
                policy.authorize(member, 'blazar:leases:post')
            except Exception as error:
                denied.append(repr(error))

        workers = [threading.Thread(target=check) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return denied


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

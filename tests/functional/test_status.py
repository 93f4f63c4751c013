"""``blazar-status upgrade check`` as an operator runs it: a real process
reading a real configuration, database, policy file and Compute endpoint."""

import http.server
import json
import os
import subprocess
import sys
import threading

import fixtures
import testtools

from tests import fixtures as blazar_fixtures
from tests.integration import cloud

SUCCESS, WARNING, FAILURE = 0, 1, 2
HOST_PLUGIN = 'physical.host.plugin'


class _VersionHandler(http.server.BaseHTTPRequestHandler):
    """Answers like the root of Nova's v2.1 endpoint."""

    def do_GET(self):
        body = json.dumps({'version': {'id': 'v2.1', 'status': 'CURRENT'}})
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


class StatusTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.directory = self.useFixture(fixtures.TempDir()).path

    def _config(self, backend='sqlite', **sections):
        database = self.useFixture(blazar_fixtures.Database(backend))
        values = {'database': {'connection': database.url},
                  'manager': {'plugins': ''}}
        for section, options in sections.items():
            values.setdefault(section, {}).update(options)
        return blazar_fixtures.write_config(self.directory, values)

    def _check(self, config_path):
        """{check name: (code, details)} and the exit status."""
        command = os.path.join(os.path.dirname(sys.executable),
                               'blazar-status')
        result = subprocess.run(
            [command, '--config-file', config_path, 'upgrade', 'check',
             '--json'], capture_output=True, text=True, timeout=120)
        self.addDetail('blazar-status-stderr',
                       testtools.content.text_content(result.stderr))
        report = json.loads(result.stdout)
        checks = {check['check']: (check['result'], check['details'])
                  for check in report['checks']}
        return checks, result.returncode

    def _policy_file(self, text):
        path = os.path.join(self.directory, 'policy.yaml')
        with open(path, 'w') as policy:
            policy.write(text)
        return path

    def test_unmigrated_database_fails(self):
        checks, status = self._check(self._config())
        self.assertEqual(FAILURE, status)
        code, details = checks['Database schema']
        self.assertEqual(FAILURE, code)
        self.assertIn('blazar-db-manage upgrade head', details)
        self.assertEqual(SUCCESS, checks['Policy file'][0])

    def test_migrated_mariadb_with_a_valid_policy_passes(self):
        policy = self._policy_file(
            '"blazar:leases:get": "rule:admin"\n')
        config_path = self._config(
            'mysql', manager={'plugins': HOST_PLUGIN},
            DEFAULT={'auth_strategy': 'noauth'},
            **{'physical:host': {'inventory': 'static'},
               'oslo_policy': {'policy_file': policy}})
        blazar_fixtures.run_command('blazar-db-manage', config_path,
                                    'upgrade', 'head')
        checks, status = self._check(config_path)
        self.assertEqual({SUCCESS}, {code for code, _ in checks.values()},
                         checks)
        self.assertEqual(0, status)
        self.assertIn('latest revision', checks['Database schema'][1])
        self.assertEqual('%s is valid.' % policy, checks['Policy file'][1])
        self.assertIn('static', checks['Nova'][1])

    def test_broken_policy_and_unknown_plugin_fail(self):
        policy = self._policy_file(
            '"blazar:leases:get": "rule:no_such_rule"\n'
            '"blazar:leases:post": "role:admin and and"\n'
            '"blazar:no:such:action": "role:admin"\n')
        config_path = self._config(
            manager={'plugins': 'no.such.plugin'},
            oslo_policy={'policy_file': policy})
        checks, status = self._check(config_path)
        self.assertEqual(FAILURE, status)
        code, details = checks['Policy file']
        self.assertEqual(FAILURE, code)
        self.assertIn('unknown rule blazar:no:such:action', details)
        self.assertIn('rule blazar:leases:post does not parse', details)
        self.assertIn('undefined rules', details)
        code, details = checks['Resource plugins']
        self.assertEqual(FAILURE, code)
        self.assertIn('no.such.plugin', details)

    def test_json_policy_file_fails_the_format_check(self):
        policy = self._policy_file('{"blazar:leases:get": "rule:admin"}\n')
        checks, _status = self._check(
            self._config(oslo_policy={'policy_file': policy}))
        self.assertEqual(SUCCESS, checks['Policy file'][0])
        self.assertEqual(FAILURE, checks['Policy file format'][0])

    def test_nova_reachability(self):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                 _VersionHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        compute = 'http://127.0.0.1:%d/v2.1' % server.server_port
        nova = {'auth_type': 'none', 'endpoint_override': compute}
        host_plugin = {'manager': {'plugins': HOST_PLUGIN},
                       'physical:host': {'inventory': 'nova'}}

        checks, _status = self._check(self._config(nova=nova,
                                                   **host_plugin))
        self.assertEqual((SUCCESS, 'Nova answered at %s/.' % compute),
                         checks['Nova'])

        nova['endpoint_override'] = 'http://127.0.0.1:%d/v2.1' % (
            blazar_fixtures.free_port())
        checks, status = self._check(self._config(nova=nova,
                                                  **host_plugin))
        self.assertEqual(FAILURE, status)
        code, details = checks['Nova']
        self.assertEqual(FAILURE, code)
        self.assertIn('Cannot reach Nova', details)

    @cloud.skip_unless_cloud
    def test_nova_of_the_test_cloud(self):
        # Keystone, the catalog and Nova of tools/cloud, as deployed.
        test_cloud = cloud.ensure_cloud()
        nova = dict(test_cloud.blazar_credentials(), auth_type='password',
                    region_name=test_cloud.region_name)
        checks, _status = self._check(self._config(
            nova=nova, manager={'plugins': HOST_PLUGIN},
            **{'physical:host': {'inventory': 'nova'}}))
        self.assertEqual(
            (SUCCESS, 'Nova answered at %s/.'
             % test_cloud.endpoints['compute']), checks['Nova'])

    def test_keystone_authentication_needs_a_trustee(self):
        checks, status = self._check(self._config())
        self.assertEqual(FAILURE, status)
        code, details = checks['Keystone trustee']
        self.assertEqual(FAILURE, code)
        self.assertIn("set the credentials of Blazar's service user in "
                      "[trustee] (or [nova])", details)
        checks, _status = self._check(self._config(
            DEFAULT={'auth_strategy': 'noauth'}))
        self.assertEqual(SUCCESS, checks['Keystone trustee'][0])

    @cloud.skip_unless_cloud
    def test_trustee_of_the_test_cloud(self):
        test_cloud = cloud.ensure_cloud()
        trustee = dict(test_cloud.blazar_credentials(), auth_type='password')
        checks, _status = self._check(self._config(trustee=trustee))
        blazar_user = test_cloud.blazar_session().get_user_id()
        self.assertEqual(
            (SUCCESS, 'Leases delegate to Keystone user %s ([trustee] '
                      'credentials).' % blazar_user),
            checks['Keystone trustee'])
        trustee['password'] = 'wrong'
        checks, _status = self._check(self._config(trustee=trustee))
        code, details = checks['Keystone trustee']
        self.assertEqual(FAILURE, code)
        self.assertIn("Keystone could not authenticate Blazar's trustee",
                      details)

"""The DevStack plugin is valid bash and passes shellcheck.

tests/functional/test_devstack.py runs it; this checks what running
cannot: every branch parses, and shellcheck finds nothing (quoting,
unset variables in conditions, word splitting...).
"""

import os
import shutil
import subprocess

import testtools

from tests import fixtures as blazar_fixtures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPTS = [os.path.join(ROOT, 'devstack', 'plugin.sh'),
           os.path.join(ROOT, 'devstack', 'settings'),
           os.path.join(ROOT, 'tests', 'functional', 'devstack',
                        'fake-devstack.sh'),
           os.path.join(ROOT, 'tests', 'integration', 'devstack',
                        'cloud-devstack.sh')]


class DevStackScriptsTest(testtools.TestCase):

    def _run(self, *command):
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=120)
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)

    def test_bash_parses_them(self):
        for script in SCRIPTS:
            self._run('bash', '-n', script)

    def test_shellcheck_finds_nothing(self):
        # tools/run-tests installs shellcheck; elsewhere it may be absent.
        blazar_fixtures.require('shellcheck', shutil.which('shellcheck'))
        self._run('shellcheck', '--shell=bash', '--severity=style',
                  *SCRIPTS)

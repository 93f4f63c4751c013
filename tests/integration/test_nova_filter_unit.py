"""Run the BlazarFilter unit tests where Nova is installed.

blazar.nova.filter imports Nova, which is not in the main test venv, so
tests/unit/nova/test_filter.py skips itself there. Nova is in the test
cloud's venv; this test runs that module with the cloud venv's Python and
fails with its output if any of those tests fails, errors or is skipped.
Runs only with BLAZAR_TEST_CLOUD=1 (which guarantees the venv exists).
"""

import os
import subprocess

import testtools

from tests.integration import cloud as test_cloud

FILTER_TESTS = test_cloud.REPO / 'tests' / 'unit' / 'nova'


@test_cloud.skip_unless_cloud
class NovaFilterUnitTestsInCloudVenv(testtools.TestCase):

    def test_filter_unit_tests_pass_with_real_nova(self):
        cloud = test_cloud.ensure_cloud()
        env = dict(os.environ, PYTHONPATH=str(test_cloud.REPO),
                   PYTHONDONTWRITEBYTECODE='1')
        # Discovery rooted at the test directory itself, so the packages
        # above it (and whatever they import) are not loaded in that venv.
        result = subprocess.run(
            [cloud.python, '-m', 'unittest', 'discover', '-v',
             '-s', str(FILTER_TESTS), '-t', str(FILTER_TESTS)],
            cwd=str(test_cloud.REPO), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=300)
        self.addDetail('unittest-output',
                       testtools.content.text_content(result.stdout))
        self.assertEqual(0, result.returncode, result.stdout[-5000:])
        self.assertRegex(result.stdout, r'\nRan [1-9]\d* tests? in ')
        self.assertNotIn('skipped', result.stdout.rsplit('\nRan ', 1)[-1])

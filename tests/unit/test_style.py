"""The code passes flake8 (pycodestyle and pyflakes) as configured in
tox.ini's ``[flake8]`` section, as "tox -e pep8" checks it."""

import os
import subprocess
import sys

import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class Flake8Test(testtools.TestCase):

    def test_flake8_finds_nothing(self):
        result = subprocess.run(
            [sys.executable, '-m', 'flake8', 'blazar', 'tests', 'tools',
             'benchmarks'],
            capture_output=True, text=True, timeout=300, cwd=ROOT)
        self.assertEqual('', result.stdout + result.stderr)
        self.assertEqual(0, result.returncode)

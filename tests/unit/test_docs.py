"""The documentation names things that exist.

Every page is reachable from the index; every ``[group] option`` the
pages mention for blazar.conf is an option the services register
(``tests.options_probe``); every ``blazar-*`` command they mention is
installed; Sphinx builds the guide without a warning.
"""

from importlib import metadata
import json
import os
import re
import subprocess
import sys

import fixtures
import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, 'doc', 'source')
# Groups of nova.conf (the scheduler filter's), not of blazar.conf.
NOVA_CONF_GROUPS = {'blazar', 'blazar:physical:host', 'filter_scheduler'}
OPTION = re.compile(r'``\[([\w:]+)\]\s+(\w+)``')
COMMAND = re.compile(r'\bblazar-[a-z-]*[a-z]\b')


def _pages():
    for directory, _dirs, files in os.walk(SOURCE):
        for name in files:
            if name.endswith('.rst'):
                path = os.path.join(directory, name)
                yield os.path.relpath(path, SOURCE)[:-4], path


def _text(path):
    with open(path) as page:
        return page.read()


def _toctree_entries(page, text):
    base = os.path.dirname(page)
    entries = set()
    for block in re.findall(r'\.\. toctree::\n((?:\n|   .*\n)+)', text):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(':'):
                entries.add(os.path.normpath(os.path.join(base, line)))
    return entries


class DocsTest(testtools.TestCase):

    def test_every_page_is_in_a_toctree(self):
        pages = dict(_pages())
        linked = {'index'}
        for page, path in pages.items():
            linked |= _toctree_entries(page, _text(path))
        self.assertEqual(set(pages), linked)

    def test_mentioned_options_exist(self):
        mentioned = set()
        for _page, path in _pages():
            mentioned |= set(OPTION.findall(_text(path)))
        mentioned = {(group, name) for group, name in mentioned
                     if group not in NOVA_CONF_GROUPS}
        self.assertGreater(len(mentioned), 10)
        self.assertEqual([], self._unknown(mentioned))

    def _unknown(self, options):
        """Options the services do not know, with the plugins and backends
        the pages describe enabled."""
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'blazar.conf')
        with open(path, 'w') as config:
            config.write('[manager]\nplugins = %s\n'
                         '[physical:host]\ninventory = nova\n'
                         '[healthcheck]\nbackends = disable_by_file\n'
                         % ','.join(_installed_plugins()))
        result = subprocess.run(
            [sys.executable, '-m', 'tests.options_probe', path] +
            ['%s/%s' % option for option in sorted(options)],
            capture_output=True, text=True, timeout=120, cwd=ROOT)
        self.assertEqual(0, result.returncode, result.stderr[-3000:])
        return json.loads(result.stdout.splitlines()[-1])

    def test_sphinx_builds_without_warnings(self):
        # As "tox -e docs" does: -W turns any warning (a broken reference,
        # a malformed directive, an option without help) into a failure.
        output = self.useFixture(fixtures.TempDir()).path
        result = subprocess.run(
            [sys.executable, '-m', 'sphinx', '-q', '-W', '-b', 'html',
             SOURCE, output],
            capture_output=True, text=True, timeout=300, cwd=ROOT)
        self.assertEqual(0, result.returncode, result.stderr[-3000:])
        self.assertTrue(os.path.exists(
            os.path.join(output, 'configuration', 'options.html')))

    def test_mentioned_commands_are_installed(self):
        mentioned = set()
        for _page, path in _pages():
            mentioned |= set(COMMAND.findall(_text(path)))
        scripts = {ep.name for ep in metadata.entry_points(
            group='console_scripts') if ep.name.startswith('blazar-')}
        self.assertEqual(set(), mentioned - scripts - {'blazar-api-uwsgi'})


def _installed_plugins():
    return sorted(ep.name for ep in metadata.entry_points(
        group='blazar.resource.plugins'))

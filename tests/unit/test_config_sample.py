"""The configuration sample matches the code; every option explains itself.

The sample (``etc/blazar/blazar.conf.sample``) also carries the options of
the libraries Blazar uses; their text changes with library releases, so
only the blocks of Blazar's own namespaces must match exactly. The
libraries' blocks must merely be there.
"""

import collections
from importlib import metadata
import os
import re

from oslo_config import cfg
import testtools

from blazar import conf as blazar_conf
from blazar.conf import opts as blazar_opts
from tests import fixtures as blazar_fixtures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GENERATOR_CONFIG = os.path.join(ROOT, 'etc', 'oslo-config-generator',
                                'blazar.conf')
SAMPLE = os.path.join(ROOT, 'etc', 'blazar', 'blazar.conf.sample')
REGENERATE = ('oslo-config-generator --config-file '
              'etc/oslo-config-generator/blazar.conf')


def _blocks(text):
    """{(section, namespace): text} of a sample written by the generator,
    which heads each namespace's part of a section with ``# From NAME``."""
    blocks = collections.defaultdict(list)
    section = namespace = None
    for line in text.splitlines():
        header = re.fullmatch(r'\[(.+)\]', line)
        origin = re.fullmatch(r'# From (\S+)', line)
        if header:
            section, namespace = header.group(1), None
        elif origin:
            namespace = origin.group(1)
        elif namespace:
            blocks[(section, namespace)].append(line)
    # Lone '#' lines frame the "# From" headers; they belong to no block.
    return {key: '\n'.join(lines).strip('#\n')
            for key, lines in blocks.items()}


def _own(namespace):
    return namespace == 'blazar' or namespace.startswith('blazar.')


def _namespaces():
    with open(GENERATOR_CONFIG) as config:
        return re.findall(r'^namespace = (\S+)$', config.read(), re.M)


def _installed_namespaces():
    return {ep.name for ep in metadata.entry_points(group='oslo.config.opts')}


class ConfigSampleTest(testtools.TestCase):

    def _generate(self):
        return _blocks(blazar_fixtures.generate_sample(
            self, 'oslo-config-generator', GENERATOR_CONFIG))

    def test_sample_matches_blazar_options(self):
        with open(SAMPLE) as sample:
            committed = _blocks(sample.read())
        generated = self._generate()
        installed = _installed_namespaces()
        # A plugin that is not installed produces nothing; its part of
        # the sample is not drift.
        mine = {key: text for key, text in committed.items()
                if _own(key[1]) and key[1] in installed}
        fresh = {key: text for key, text in generated.items()
                 if _own(key[1])}
        self.assertEqual(sorted(fresh), sorted(mine),
                         'sections differ; regenerate with: ' + REGENERATE)
        for key in fresh:
            self.assertEqual(fresh[key], mine[key],
                             '[%s] from %s is out of date; regenerate '
                             'with: %s' % (key + (REGENERATE,)))

    def test_sample_covers_every_installed_namespace(self):
        with open(SAMPLE) as sample:
            present = {namespace for _s, namespace in _blocks(sample.read())}
        configured = set(_namespaces())
        self.assertEqual(set(), configured & _installed_namespaces() - present)
        self.assertEqual(set(), present - configured)

    def test_every_blazar_namespace_is_in_the_generator_config(self):
        own = {name for name in _installed_namespaces() if _own(name)}
        self.assertEqual(set(), own - set(_namespaces()))


class RegisteredDefaultsTest(testtools.TestCase):

    def test_the_sample_shows_the_defaults_the_services_run_with(self):
        """A default set at registration (``set_default``) is in the
        sample too: e.g. the bounded ``timeout`` of ``[nova]``."""
        conf = cfg.ConfigOpts()
        blazar_conf.register_opts(conf)
        conf([], default_config_files=[])
        shown = registered = 0
        for group, opts in blazar_opts.list_opts():
            section = conf if group == 'DEFAULT' else conf[group]
            for opt in opts:
                shown += 1
                # Auth plugin options exist once credentials are loaded.
                if opt.dest in section:
                    registered += 1
                    self.assertEqual(opt.default, section[opt.dest],
                                     '[%s] %s' % (group, opt.dest))
        self.assertGreater(registered, shown // 2)
        self.assertEqual(30, conf.nova.timeout)


class OptionHelpTest(testtools.TestCase):

    def _blazar_opts(self):
        groups = list(blazar_opts.list_opts())
        for entry_point in metadata.entry_points(group='oslo.config.opts'):
            if entry_point.name.startswith('blazar.'):
                groups.extend(entry_point.load()())
        return [(group, opt) for group, opts in groups for opt in opts]

    def test_every_option_has_help(self):
        options = self._blazar_opts()
        self.assertGreater(len(options), 10)
        silent = ['[%s] %s' % (group, opt.dest) for group, opt in options
                  if not (opt.help or '').strip()]
        self.assertEqual([], silent)

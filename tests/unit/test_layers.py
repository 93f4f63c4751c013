"""Imports point down only: api -> rpc -> (wire) -> manager -> plugins/db."""

import ast
import os

import testtools

import blazar

ROOT = os.path.dirname(blazar.__file__)

# package prefix -> prefixes it must never import
FORBIDDEN = {
    'blazar.api': ('blazar.db', 'blazar.manager'),
    'blazar.rpc': ('blazar.db', 'blazar.manager', 'blazar.api'),
    'blazar.db': ('blazar.api', 'blazar.manager', 'blazar.plugins',
                  'blazar.rpc'),
    'blazar.plugins': ('blazar.manager', 'blazar.api', 'blazar.rpc'),
    'blazar.manager': ('blazar.api',),
    'blazar.nova': ('blazar.',),
}
# The core reaches plugins only through their shared contract.
PLUGIN_CONTRACT = ('blazar.plugins.base', 'blazar.plugins.loader',
                   'blazar.plugins.query')
CORE = ('blazar.api', 'blazar.manager', 'blazar.db', 'blazar.rpc')


def _modules():
    for directory, _dirs, files in os.walk(ROOT):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, os.path.dirname(ROOT))
                module = relative[:-3].replace(os.sep, '.')
                yield module.removesuffix('.__init__'), path


def _imports(path):
    with open(path) as source:
        tree = ast.parse(source.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield from ('%s.%s' % (node.module, alias.name)
                        for alias in node.names)


def _within(name, prefix):
    return name == prefix or name.startswith(prefix.rstrip('.') + '.')


class LayeringTest(testtools.TestCase):

    def test_no_upward_imports(self):
        violations = []
        for module, path in _modules():
            for imported in _imports(path):
                if self._forbidden(module, imported):
                    violations.append('%s imports %s' % (module, imported))
        self.assertEqual([], violations)

    @staticmethod
    def _forbidden(module, imported):
        for package, banned in FORBIDDEN.items():
            if _within(module, package) and any(
                    _within(imported, b) or imported.startswith(b)
                    for b in banned):
                return True
        core = any(_within(module, c) for c in CORE)
        return (core and _within(imported, 'blazar.plugins') and
                not any(_within(imported, c) for c in PLUGIN_CONTRACT) and
                imported != 'blazar.plugins')

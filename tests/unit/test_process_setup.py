"""Blazar processes run on native threads: eventlet is never imported."""

import subprocess
import sys

import testtools

ENTRY_MODULES = ('blazar.cmd.api', 'blazar.cmd.manager', 'blazar.cmd.all',
                 'blazar.cmd.db_manage', 'blazar.cmd.status',
                 'blazar.api.app', 'blazar.manager.service')

_PROBE = '''
import importlib, sys
import blazar.cmd
for name in %r:
    importlib.import_module(name)
import oslo_messaging, oslo_service.service, futurist
from oslo_service import backend
assert backend.get_backend_type() == backend.BackendType.THREADING
assert not futurist._utils.EVENTLET_AVAILABLE
try:
    import eventlet
except ImportError:
    pass
else:
    raise SystemExit('eventlet was importable')
leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'eventlet')
raise SystemExit('eventlet modules loaded: %%s' %% leaked if leaked else 0)
'''


class NoEventletTest(testtools.TestCase):

    def test_entry_points_never_load_eventlet(self):
        result = subprocess.run(
            [sys.executable, '-c', _PROBE % (ENTRY_MODULES,)],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)

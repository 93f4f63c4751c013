"""A resource plugin for event-engine tests: it records every step the
engine asks of it, and is slow or fails when told to.

It is a real plugin, loaded by name through stevedore like any other:
``Probe`` writes a small distribution (only an ``entry_points.txt``) into
a temporary directory that goes on the PYTHONPATH of the Blazar processes
under test, so nothing about it ships with Blazar.

A reservation is ``{"resource_type": "test:probe", "resource": NAME}``;
reservations naming the same resource share it, which is what orders the
end of one lease before the start of the next. What a step does is read,
at each call, from ``behaviour.json`` in the probe directory::

    {NAME: {"on_end": {"sleep": [30, 0], "fail": 2, "refuse": false}}}

``sleep`` gives seconds per call of that step for that reservation (the
first call sleeps 30, the second 0, later ones too); ``fail`` makes the
first n calls raise ``ServiceUnavailable`` (transient); ``refuse`` makes
every call raise ``Conflict`` (permanent); ``crash`` makes every call
kill the process running it (SIGKILL). Each call appends ``begin`` and,
if it returns, ``end`` to ``journal`` (JSON lines).
"""

import json
import os
import signal
import time

import fixtures
from oslo_config import cfg
import sqlalchemy as sa

from blazar.db import models
from blazar import exceptions
from blazar.plugins import base

RESOURCE_TYPE = 'test:probe'
ENTRY_POINT = 'test.probe'
GROUP = 'test_probe'
OPTS = [cfg.StrOpt('directory', help='Where the journal and behaviour are.')]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class ProbeRequestSchema(base.ReservationRequestSchema):
    resource_type = RESOURCE_TYPE

    def validate_create(self, values):
        resource = values.get('resource')
        if not isinstance(resource, str) or not 0 < len(resource) <= 36:
            raise exceptions.InvalidInput('resource must be a name of 1 to '
                                          '36 characters')
        return {'resource': resource}

    def validate_update(self, values):
        return {}


class ProbePlugin(base.ResourcePlugin):
    resource_type = RESOURCE_TYPE

    def __init__(self, conf):
        super().__init__(conf)
        conf.register_opts(OPTS, group=GROUP)
        self.directory = conf[GROUP].directory

    def reserve(self, session, lease, reservation, values):
        reservation.resource_id = values['resource']
        return {'resource': values['resource']}

    def update(self, session, lease, reservation, values):
        pass

    def release(self, session, reservation):
        pass

    def details(self, session, reservations):
        return {r.id: {'resource': r.resource_id} for r in reservations}

    def leases_sharing_resources(self, session, reservations, lease_ids):
        Reservation = models.Reservation
        return set(session.scalars(sa.select(Reservation.lease_id).where(
            Reservation.resource_type == RESOURCE_TYPE,
            Reservation.resource_id.in_({r.resource_id for r in reservations}),
            Reservation.lease_id.in_(sorted(lease_ids)))))

    def on_start(self, context, lease, reservation):
        self._step('on_start', lease, reservation)

    def before_end(self, context, lease, reservation):
        self._step('before_end', lease, reservation)

    def on_end(self, context, lease, reservation):
        self._step('on_end', lease, reservation)

    def _step(self, step, lease, reservation):
        behaviour = self._behaviour(reservation['resource'], step)
        call = self._calls_so_far(reservation['id'], step) if behaviour else 0
        self._record('begin', step, lease, reservation)
        sleeps = behaviour.get('sleep', [])
        if call < len(sleeps):
            time.sleep(sleeps[call])
        if behaviour.get('crash'):
            os.kill(os.getpid(), signal.SIGKILL)
        if call < behaviour.get('fail', 0):
            raise exceptions.ServiceUnavailable(
                reason='probe %s call %d fails' % (step, call + 1))
        if behaviour.get('refuse'):
            raise exceptions.Conflict(reason='probe refuses %s' % step)
        self._record('end', step, lease, reservation)

    def _behaviour(self, resource, step):
        try:
            with open(os.path.join(self.directory, 'behaviour.json')) as f:
                return json.load(f).get(resource, {}).get(step, {})
        except FileNotFoundError:
            return {}

    def _calls_so_far(self, reservation_id, step):
        return sum(1 for line in read_journal(self.directory)
                   if (line['reservation'], line['step'], line['phase']) ==
                   (reservation_id, step, 'begin'))

    def _record(self, phase, step, lease, reservation):
        line = json.dumps({'time': time.time(), 'pid': os.getpid(),
                           'step': step, 'phase': phase,
                           'lease': lease['id'], 'lease_name': lease['name'],
                           'reservation': reservation['id'],
                           'resource': reservation['resource']})
        # One write() of an O_APPEND file: lines from several managers
        # never interleave.
        fd = os.open(os.path.join(self.directory, 'journal'),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + '\n').encode())
        finally:
            os.close(fd)


def read_journal(directory):
    try:
        with open(os.path.join(directory, 'journal')) as journal:
            return [json.loads(line) for line in journal if line.strip()]
    except FileNotFoundError:
        return []


class Probe(fixtures.Fixture):
    """The probe as a test sees it: the configuration and environment
    that enable it in Blazar processes, its behaviour and its journal."""

    def _setUp(self):
        self.directory = self.useFixture(fixtures.TempDir()).path
        dist_info = os.path.join(self.directory,
                                 'blazar_test_probe-0.dist-info')
        os.mkdir(dist_info)
        with open(os.path.join(dist_info, 'METADATA'), 'w') as metadata:
            metadata.write('Metadata-Version: 2.1\nName: blazar-test-probe\n'
                           'Version: 0\n')
        with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as eps:
            eps.write('[blazar.resource.plugins]\n%s = %s:ProbePlugin\n\n'
                      '[blazar.resource.schemas]\n%s = %s:ProbeRequestSchema\n'
                      % (ENTRY_POINT, __name__, ENTRY_POINT, __name__))
        self.env = {'PYTHONPATH': os.pathsep.join([self.directory, ROOT])}
        self.config = {'manager': {'plugins': ENTRY_POINT},
                       GROUP: {'directory': self.directory}}
        self._behaviour = {}

    def behave(self, resource, **steps):
        """Set what the steps of reservations of ``resource`` do."""
        self._behaviour[resource] = steps
        path = os.path.join(self.directory, 'behaviour.json')
        with open(path + '.new', 'w') as new:
            json.dump(self._behaviour, new)
        os.replace(path + '.new', path)

    def journal(self, phase=None, step=None):
        return [line for line in read_journal(self.directory)
                if phase in (None, line['phase']) and
                step in (None, line['step'])]

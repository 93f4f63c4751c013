"""What the instance reconcile reads of the books (instances.reconcile),
on SQLite, MariaDB and PostgreSQL: the slot reservations of ACTIVE leases
not about to end, each with its hosts and slots, nothing else."""

import datetime

from sqlalchemy import orm
import testtools

from blazar.db import models as db_models
from blazar.plugins.hosts import models as host_models
from blazar.plugins.instances import models
from blazar.plugins.instances import reconcile
from blazar.plugins.instances import resources
from blazar import states
from tests import fixtures as blazar_fixtures

NOW = datetime.datetime(2040, 1, 1, 12, 0)
LATER = NOW + datetime.timedelta(hours=1)
# Inside reconcile.ENDING_SOON: left to the lease's end.
SOON = NOW + datetime.timedelta(seconds=30)


def host(n, slots):
    return resources.Placement('hv%d' % n, 'uuid-%d' % n, 'c%d' % n, slots)


class BooksOnBackend:
    """Mixed into one test class per backend."""

    backend = None

    def setUp(self):
        super().setUp()
        self.engine = blazar_fixtures.use_or_skip(
            self, blazar_fixtures.Schema(self.backend)).engine
        with orm.Session(self.engine) as session, session.begin():
            session.add_all(host_models.ComputeHost(
                id=n, hypervisor_hostname='hv%d' % n,
                hypervisor_id='uuid-%d' % n, service_name='c%d' % n,
                vcpus=8, memory_mb=4096, local_gb=100) for n in (1, 2, 3))

    def reserve(self, name, lease_status, slots, end=LATER,
                reservation_status=states.RES_ACTIVE, server_id=None):
        """A lease ``name`` with one slot reservation ``name`` holding
        ``slots`` (host id -> count)."""
        with orm.Session(self.engine) as session, session.begin():
            session.add(db_models.Lease(
                id=name, name=name, project_id='p-' + name, trust_id='t',
                start_date=NOW - datetime.timedelta(hours=1), end_date=end,
                status=lease_status))
            session.add(db_models.Reservation(
                id=name, lease_id=name, resource_type='virtual:instance',
                status=reservation_status))
            session.flush()
            session.add(models.InstanceReservation(
                reservation_id=name, vcpus=1, memory_mb=64, disk_gb=1,
                amount=sum(slots.values()), affinity=None,
                server_id=server_id))
            session.add_all(host_models.HostAllocation(
                compute_host_id=host_id, reservation_id=name,
                start_date=NOW, end_date=end, slots=count)
                for host_id, count in slots.items())

    def books(self):
        with orm.Session(self.engine) as session:
            return reconcile.read_books(session, NOW)

    def test_active_reservation_with_its_hosts_in_id_order(self):
        self.reserve('r1', states.ACTIVE, {2: 1, 1: 2})
        [booked] = self.books().values()
        self.assertEqual(
            ({'id': 'r1', 'project_id': 'p-r1', 'trust_id': 't'},
             (host(1, 2), host(2, 1))),
            (booked.lease, booked.placements))
        self.assertEqual(('r1', 'r1', 3, None, None),
                         tuple(booked.reservation[key] for key in (
                             'id', 'flavor_id', 'amount', 'affinity',
                             'server_id')))

    def test_only_settled_active_slot_reservations(self):
        self.reserve('active', states.ACTIVE, {1: 1})
        self.reserve('pending', states.PENDING, {1: 1},
                     reservation_status=states.RES_PENDING)
        for status in (states.TERMINATING, states.UPDATING,
                       states.DELETING, states.ERROR):
            self.reserve(status, status, {2: 1})
        self.reserve('ending', states.ACTIVE, {3: 1}, end=SOON)
        self.reserve('server', states.ACTIVE, {3: 1}, server_id='s')
        self.assertEqual(['active'], list(self.books()))

    def test_nothing_active_reads_nothing(self):
        self.assertEqual({}, self.books())

    def test_enrolled_hosts_named_by_service_or_hypervisor(self):
        seen = resources.Seen(frozenset(), {'r1': {'c3', 'elsewhere'}},
                              {'r1': {'hv1': 1}, 'r2': {'hv3': 2}})
        with orm.Session(self.engine) as session:
            self.assertEqual([host(1, 0), host(3, 0)],
                             reconcile.enrolled(session, seen))


class TestBooksSQLite(BooksOnBackend, testtools.TestCase):
    backend = 'sqlite'


class TestBooksMySQL(BooksOnBackend, testtools.TestCase):
    backend = 'mysql'


class TestBooksPostgreSQL(BooksOnBackend, testtools.TestCase):
    backend = 'postgresql'

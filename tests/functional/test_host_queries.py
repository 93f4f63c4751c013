"""Host filters compiled to SQL select what the query language says, on
SQLite, MariaDB and PostgreSQL.

``query.matches`` is the reference: for the same hosts, every filter must
select the same hosts in SQL as in Python, whatever the backend's
collation or type coercion would do on its own.
"""


import hypothesis
from hypothesis import strategies as st
import sqlalchemy as sa
from sqlalchemy import orm
import testtools

from blazar import exceptions
from blazar.plugins.hosts import db as hosts_db
from blazar.plugins.hosts import models
from blazar.plugins.hosts import properties
from blazar.plugins import query
from tests import fixtures as blazar_fixtures

TABLES = [models.ComputeHost.__table__, models.ResourceProperty.__table__,
          models.ExtraCapability.__table__]

# Values chosen to split numeric from textual and case-sensitive from
# case-insensitive comparisons, and to hit the edges of "is a number".
TEXTS = ['8', '16', '10', '16.0', '-2.5', '007', 'abc', 'ABC', 'Abc', 'é',
         'z', '', '1e3', '0x10', ' 16', 'QEMU', 'qemu']
NUMBERS = [0, 8, 10, 16, 16.0, -2.5, 7, 1e3]

# name -> (hypervisor_type, availability_zone, vcpus, capabilities)
HOSTS = {
    'h1': ('QEMU', 'az1', 8, {'ram': '16', 'gpu': 'true', 'tier': 'abc'}),
    'h2': ('qemu', 'AZ1', 16, {'ram': '8', 'gpu': 'false'}),
    'h3': ('16', 'é', 10, {'ram': '16.0', 'tier': 'ABC'}),
    'h4': ('8', '', 0, {'ram': '1e3', 'gpu': '', 'tier': '007'}),
    'h5': ('abc', 'z', 7, {'ram': '-2.5', 'tier': '7'}),
    'h6': ('', 'az2', 16, {}),
}
FIELDS = ['hypervisor_type', 'availability_zone', 'vcpus', 'ram', 'gpu',
          'tier']


def comparisons():
    ops = st.sampled_from(query.OPERATORS)
    fields = st.sampled_from(FIELDS)
    values = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS))
    with_value = st.tuples(ops, fields, values)
    with_null = st.tuples(st.sampled_from(['==', '!=']), fields, st.none())
    return st.one_of(with_value, with_null).map(
        lambda t: [t[0], '$' + t[1], t[2]])


def filters():
    return st.recursive(
        comparisons(),
        lambda inner: st.tuples(st.sampled_from(['and', 'or']),
                                st.lists(inner, min_size=1, max_size=3))
        .map(lambda t: [t[0], *t[1]]),
        max_leaves=6)


class QueriesOnBackend:
    """Mixed into one test class per backend."""

    backend = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.database = blazar_fixtures.set_up_or_skip(
            blazar_fixtures.Schema(cls.backend, tables=TABLES))
        cls.engine = cls.database.engine
        cls.ids = {}
        with orm.Session(cls.engine) as session, session.begin():
            for name, (hv_type, zone, vcpus, capabilities) in HOSTS.items():
                host = hosts_db.add_host(session, {
                    'hypervisor_hostname': name, 'vcpus': vcpus,
                    'memory_mb': 1, 'local_gb': 1, 'cpu_info': '',
                    'hypervisor_type': hv_type, 'hypervisor_version': 0,
                    'availability_zone': zone, 'trust_id': ''})
                hosts_db.set_capabilities(session, host.id, capabilities)
                cls.ids[host.id] = name

    @classmethod
    def tearDownClass(cls):
        cls.database.cleanUp()
        super().tearDownClass()

    def selected_in_sql(self, requirements):
        expr = query.parse(requirements)
        with orm.Session(self.engine) as session:
            resolver = properties.HostProperties(
                session, {'resource_properties': expr})
            rows = session.scalars(sa.select(models.ComputeHost.id).where(
                resolver.clause(expr)))
            return {self.ids[i] for i in rows}

    def selected_in_python(self, requirements):
        expr = query.parse(requirements)
        selected = set()
        for name, (hv_type, zone, vcpus, capabilities) in HOSTS.items():
            values = dict(capabilities, hypervisor_type=hv_type,
                          availability_zone=zone, vcpus=vcpus)
            if query.matches(expr, values):
                selected.add(name)
        return selected

    def check(self, requirements, expected):
        self.assertEqual(expected, self.selected_in_sql(requirements),
                         requirements)
        self.assertEqual(expected, self.selected_in_python(requirements),
                         requirements)

    def test_numbers_compare_as_numbers(self):
        self.check(['>', '$ram', '10'], {'h1', 'h3', 'h4'})  # "1e3" is text
        self.check(['==', '$ram', 16], {'h1', 'h3'})
        self.check(['>=', '$vcpus', '10'], {'h2', 'h3', 'h6'})
        self.check(['<', '$hypervisor_type', 9], {'h4', 'h6'})  # "" is text

    def test_text_compares_by_code_point(self):
        self.check(['==', '$hypervisor_type', 'QEMU'], {'h1'})
        self.check(['==', '$availability_zone', 'az1'], {'h1'})
        self.check(['>', '$tier', 'Z'], {'h1'})
        self.check(['>', '$availability_zone', 'z'], {'h3'})

    def test_or_and_nested_and(self):
        self.check(['or', ['==', '$gpu', 'true'], ['<', '$ram', 0]],
                   {'h1', 'h5'})
        self.check(['and', ['>=', '$vcpus', 8],
                    ['or', ['==', '$gpu', None], ['==', '$gpu', 'false']]],
                   {'h2', 'h3', 'h6'})

    def test_missing_capability_only_equals_null(self):
        self.check(['==', '$gpu', None], {'h3', 'h5', 'h6'})
        self.check(['!=', '$gpu', None], {'h1', 'h2', 'h4'})
        self.check(['!=', '$gpu', 'true'], {'h2', 'h4'})

    def test_unknown_property_is_named(self):
        expr = query.parse(['==', '$nope', 'x'])
        with orm.Session(self.engine) as session:
            error = self.assertRaises(
                exceptions.InvalidInput, properties.HostProperties(
                    session, {'hypervisor_properties': expr}).clause, expr)
        self.assertEqual('Unknown property nope in hypervisor_properties: no '
                         'host has a column or extra capability with that '
                         'name', str(error))

    # One test body for three backends is what is wanted here.
    @hypothesis.settings(max_examples=150, deadline=None,
                         suppress_health_check=[
                             hypothesis.HealthCheck.differing_executors])
    @hypothesis.given(filters())
    def test_sql_agrees_with_the_reference(self, requirements):
        self.assertEqual(self.selected_in_python(requirements),
                         self.selected_in_sql(requirements), requirements)


class TestQueriesSQLite(QueriesOnBackend, testtools.TestCase):
    backend = 'sqlite'


class TestQueriesMySQL(QueriesOnBackend, testtools.TestCase):
    backend = 'mysql'


class TestQueriesPostgreSQL(QueriesOnBackend, testtools.TestCase):
    backend = 'postgresql'

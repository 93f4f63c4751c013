"""Host properties in SQL, for the query language (``blazar.plugins.query``).

A property name in ``hypervisor_properties`` or ``resource_properties`` is
either a column of ``computehosts`` or an extra capability (a row of
``resource_properties`` for ``physical:host``). ``HostProperties`` resolves
names to objects that compile one comparison to SQL, following the query
module's semantics on every backend: numbers compare as numbers, other
values by Unicode code point (hence the binary collations below, since
MySQL and PostgreSQL collations are case- or locale-sensitive), and a
missing value only satisfies ``== null``.
"""

import sqlalchemy as sa
from sqlalchemy.ext import compiler
from sqlalchemy.sql import expression

from blazar import exceptions
from blazar.plugins.hosts import models
from blazar.plugins import query

RESOURCE_TYPE = 'physical:host'

ComputeHost = models.ComputeHost
ExtraCapability = models.ExtraCapability

# Columns a filter may name; the rest (trust, generation, timestamps)
# are Blazar's bookkeeping.
QUERYABLE_COLUMNS = ('id', 'hypervisor_id', 'hypervisor_hostname',
                     'service_name', 'vcpus', 'memory_mb', 'local_gb',
                     'cpu_info', 'hypervisor_type', 'hypervisor_version',
                     'availability_zone', 'status')

_DECIMAL_PATTERN = r'^-?[0-9]+(\.[0-9]+)?$'

_SQL_OPERATORS = {
    '==': lambda a, b: a == b, '!=': lambda a, b: a != b,
    '>=': lambda a, b: a >= b, '<=': lambda a, b: a <= b,
    '>': lambda a, b: a > b, '<': lambda a, b: a < b,
}


def unknown_property(name, field):
    # A plain InvalidInput: only blazar.exceptions classes cross RPC.
    return exceptions.InvalidInput(
        'Unknown property %s in %s: no host has a column or extra '
        'capability with that name' % (name, field))


# --- dialect-neutral SQL pieces ---------------------------------------------

class _CodePointText(expression.FunctionElement):
    """Text compared by code point (binary collation)."""

    type = sa.Text()
    inherit_cache = True
    name = 'code_point_text'


@compiler.compiles(_CodePointText)
def _code_point_text(element, sql_compiler, **kw):
    # SQLite's default BINARY collation already compares code points.
    return sql_compiler.process(element.clauses, **kw)


@compiler.compiles(_CodePointText, 'mysql')
def _code_point_text_mysql(element, sql_compiler, **kw):
    # Converted first: the column's or connection's character set may not
    # be utf8mb4, and a collation only applies to its own character set.
    return '(CONVERT(%s USING utf8mb4) COLLATE utf8mb4_bin)' % (
        sql_compiler.process(element.clauses, **kw))


@compiler.compiles(_CodePointText, 'postgresql')
def _code_point_text_postgresql(element, sql_compiler, **kw):
    return '(%s COLLATE "C")' % sql_compiler.process(element.clauses, **kw)


class _Double(expression.FunctionElement):
    """Decimal text read as a double."""

    type = sa.Double()
    inherit_cache = True
    name = 'as_double'


@compiler.compiles(_Double)
def _double(element, sql_compiler, **kw):
    return 'CAST(%s AS DOUBLE PRECISION)' % sql_compiler.process(
        element.clauses, **kw)


@compiler.compiles(_Double, 'mysql')
def _double_mysql(element, sql_compiler, **kw):
    # MySQL cannot CAST to DOUBLE before 8.0.17; arithmetic converts.
    return '(%s + 0e0)' % sql_compiler.process(element.clauses, **kw)


def _as_text(sql_value):
    return sa.cast(sql_value, sa.String) if isinstance(
        sql_value.type, sa.Integer) else sql_value


def _compare_text(op, sql_value, wanted):
    return _SQL_OPERATORS[op](_CodePointText(_as_text(sql_value)),
                              query.as_text(wanted))


# --- properties --------------------------------------------------------------

class IntegerColumn:
    """A number column: a number compares numerically, text as text."""

    def __init__(self, column):
        self.column = column

    def compare(self, op, value):
        if value is None:
            return self.column.is_(None) if op == '==' else (
                self.column.is_not(None))
        number = query.numeric(value)
        if number is None:
            return _compare_text(op, self.column, value)
        return _SQL_OPERATORS[op](self.column, number)


class TextColumn:
    """A text column: numeric only when both it and the value are."""

    def __init__(self, column):
        self.column = column

    def compare(self, op, value):
        if value is None:
            return self.column.is_(None) if op == '==' else (
                self.column.is_not(None))
        text_comparison = _compare_text(op, self.column, value)
        number = query.numeric(value)
        if number is None:
            return sa.and_(self.column.is_not(None), text_comparison)
        return sa.case(
            (self.column.regexp_match(_DECIMAL_PATTERN),
             _SQL_OPERATORS[op](_Double(self.column), number)),
            else_=text_comparison)


class ExtraCapabilityProperty:
    """An extra capability: the host must have it (except for == null)."""

    def __init__(self, property_id):
        self.property_id = property_id

    def compare(self, op, value):
        if value is None:
            found = self._exists(sa.true())
            return ~found if op == '==' else found
        return self._exists(self._value_clause(op, value))

    def _value_clause(self, op, value):
        text_comparison = _compare_text(
            op, ExtraCapability.capability_value, value)
        number = query.numeric(value)
        if number is None:
            return text_comparison
        numeric_value = ExtraCapability.numeric_value
        return sa.or_(
            sa.and_(numeric_value.is_not(None),
                    _SQL_OPERATORS[op](numeric_value, number)),
            sa.and_(numeric_value.is_(None), text_comparison))

    def _exists(self, clause):
        return sa.exists().where(
            ExtraCapability.computehost_id == ComputeHost.id,
            ExtraCapability.property_id == self.property_id,
            clause)


class HostProperties:
    """Resolves the names of one or more filters, looking the extra
    capabilities up in one query."""

    def __init__(self, session, expressions):
        """``expressions`` maps the request field (for error messages) to
        its parsed filter (or ``None``)."""
        self._field_of = {}
        for field, expr in expressions.items():
            for name in query.fields(expr):
                self._field_of.setdefault(name, field)
        names = [n for n in self._field_of if n not in QUERYABLE_COLUMNS]
        self._capability_ids = property_ids(session, names)

    def resolve(self, name):
        if name in QUERYABLE_COLUMNS:
            column = getattr(ComputeHost, name)
            if isinstance(column.type, sa.Integer):
                return IntegerColumn(column)
            return TextColumn(column)
        if name in self._capability_ids:
            return ExtraCapabilityProperty(self._capability_ids[name])
        raise unknown_property(name, self._field_of.get(name, '?'))

    def clause(self, expr):
        return query.to_clause(expr, self.resolve)


def property_ids(session, names):
    """Extra capability name -> resource_properties id, for ``names``."""
    if not names:
        return {}
    rows = session.execute(
        sa.select(models.ResourceProperty.property_name,
                  models.ResourceProperty.id)
        .where(models.ResourceProperty.resource_type == RESOURCE_TYPE,
               models.ResourceProperty.property_name.in_(sorted(names))))
    return dict(rows.all())

"""The query language of ``hypervisor_properties`` / ``resource_properties``.

A reservation may restrict the resources it accepts with a JSON filter::

    [">=", "$vcpus", 16]
    ["and", ["==", "$hypervisor_type", "QEMU"],
            ["or", [">", "$memory_mb", 4096], ["==", "$gpu", null]]]

This module reads such a filter into a small immutable tree (``parse``),
lists the property names it uses (``fields``), evaluates it in Python
(``matches``) and compiles it to a SQLAlchemy clause (``to_clause``). It
knows nothing about tables: a plugin says how one property compares in SQL.

Comparison semantics, shared by Python and SQL so that both select the
same resources:

* When both sides are numbers (see ``numeric``: a JSON number or a string
  written as a plain decimal number, such as ``"16"`` or ``"-2.5"``) they
  compare numerically, as floating-point values: ``"16" > "8"`` and
  ``"16.0" == 16``.
* Otherwise both sides compare as text, by Unicode code point (see
  ``as_text``): ``"abc" > "5"``.
* A missing property (or ``None``) satisfies only ``== null``; every other
  comparison with it is false, as in SQL where comparing NULL is never
  true. The language has no negation, so that rule stays sound through
  ``and`` and ``or``.

Upstream Blazar accepted only strings, compared extra capabilities as text
and had no ``or``; those limits are lifted here while keeping its error
text, ``Malformed requirements <input>``, followed by the reason.
"""

import dataclasses
import json
import math
import operator
import re
import typing

import sqlalchemy

from blazar import encoding
from blazar import exceptions

MAX_DEPTH = 16
MAX_COMPARISONS = 256

# Canonical operators; "=" is accepted as a spelling of "==".
OPERATORS = ('==', '!=', '>=', '<=', '>', '<')
_OPERATOR_SPELLINGS = {op: op for op in OPERATORS} | {'=': '=='}

_PROPERTY_REFERENCE = re.compile(r'\$([A-Za-z0-9_.:-]{1,255})')
# Plain decimal notation only: exponents, hex, "nan" or padded text are
# left as text, so a value such as "1e3" or "0x10" is never read as a number
# by surprise.
_DECIMAL = re.compile(r'-?[0-9]+(?:\.[0-9]+)?')

# Long enough to recognise the input, short enough for a log line.
_SHOWN_CHARS = 200

_ARITHMETIC = {
    '==': operator.eq, '!=': operator.ne, '>=': operator.ge,
    '<=': operator.le, '>': operator.gt, '<': operator.lt,
}
_NULL_TESTS = {
    '==': lambda actual: actual is None,
    '!=': lambda actual: actual is not None,
}

Value = str | int | float | None


@dataclasses.dataclass(frozen=True)
class Comparison:
    """``$field op value``; ``op`` is one of ``OPERATORS``."""

    op: str
    field: str
    value: Value


@dataclasses.dataclass(frozen=True)
class And:
    terms: tuple['Expression', ...]


@dataclasses.dataclass(frozen=True)
class Or:
    terms: tuple['Expression', ...]


Expression = Comparison | And | Or
_CONNECTIVES = {'and': And, 'or': Or}


class ComparableProperty(typing.Protocol):
    """What a plugin's ``resolve(name)`` returns for ``to_clause``."""

    def compare(self, op: str, value: Value) -> sqlalchemy.ColumnElement:
        """SQL for ``<this property> op value``, following the module's
        comparison semantics; ``value`` may be ``None`` (``==``/``!=``)."""


# --- reading ----------------------------------------------------------------

def parse(requirements) -> Expression | None:
    """Read a filter as sent by the user.

    ``requirements`` is ``None``, ``""``, a JSON text or an already decoded
    list. Returns ``None`` when there is no filter (also for ``[]``, which
    upstream read the same way), else the expression tree. Raises
    ``MalformedRequirements`` naming the fault, and nothing else.
    """
    if requirements is None or requirements == '':
        return None
    if isinstance(requirements, str):
        tree = _decode(requirements)
    elif isinstance(requirements, list):
        tree = requirements
    else:
        raise _malformed(requirements,
                         'requirements must be JSON text or a list')
    if tree == []:
        return None
    return _Reader(tree).expression(tree, depth=1)


def _decode(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f'not valid JSON ({exc.msg} at character {exc.pos})'
    except RecursionError:
        reason = f'expressions nest deeper than {MAX_DEPTH} levels'
    except ValueError:
        # Integers longer than Python's conversion limit (4300 digits).
        reason = 'not valid JSON (a number is too long)'
    raise _malformed_text(_truncated(text), reason)


class _Reader:
    """Walks a decoded filter once, bounding its depth and size so that a
    hostile filter costs little to reject and little to evaluate."""

    def __init__(self, whole):
        self.whole = whole
        self.comparisons = 0

    def expression(self, term, depth):
        if depth > MAX_DEPTH:
            raise _malformed(
                self.whole, f'expressions nest deeper than {MAX_DEPTH} levels')
        if not isinstance(term, list):
            raise _malformed(term, 'an expression must be a JSON array')
        if not term:
            raise _malformed(term, 'an expression cannot be empty')
        head = term[0]
        if not isinstance(head, str):
            raise _malformed(term, 'an expression must start with an operator')
        if head in _CONNECTIVES:
            return self.connective(term, depth)
        if head in _OPERATOR_SPELLINGS:
            return self.comparison(term)
        raise _malformed(
            term, f'unknown operator {_shown(head)}; expected one of '
                  '==, =, !=, >=, <=, >, <, and, or')

    def connective(self, term, depth):
        if len(term) < 2:
            raise _malformed(
                term, f'"{term[0]}" needs at least one expression')
        terms = tuple(self.expression(t, depth + 1) for t in term[1:])
        return _CONNECTIVES[term[0]](terms)

    def comparison(self, term):
        if len(term) != 3:
            raise _malformed(
                term, 'a comparison needs an operator, a $field and a value')
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise _malformed(
                self.whole, f'more than {MAX_COMPARISONS} comparisons')
        spelling, reference, value = term
        op = _OPERATOR_SPELLINGS[spelling]
        return Comparison(op, _property_name(term, reference),
                          _checked_value(term, op, value))


def _property_name(term, reference):
    found = (_PROPERTY_REFERENCE.fullmatch(reference)
             if isinstance(reference, str) else None)
    if found is None:
        raise _malformed(
            term, 'the field must be "$" followed by a property name of '
                  'letters, digits, "_", "-", ":" or "." (at most 255)')
    return found.group(1)


def _checked_value(term, op, value):
    if value is None:
        if op not in _NULL_TESTS:
            raise _malformed(term, 'null can only be compared with == or !=')
    elif isinstance(value, str):
        if not encoding.storable(value):
            raise _malformed(
                term, 'text must be valid Unicode without NUL characters')
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _malformed(term, 'the value must be a string, a number or null')
    elif numeric(value) is None:
        raise _malformed(
            term, 'numbers must be finite and within the range of a double')
    return value


def _malformed(term, reason):
    return _malformed_text(_shown(term), reason)


def _malformed_text(shown, reason):
    message = '%s: %s' % (
        exceptions.MalformedRequirements.msg_fmt % {'rqrms': shown}, reason)
    return exceptions.MalformedRequirements(message, rqrms=shown,
                                            reason=reason)


def _shown(term):
    """Compact JSON of (part of) the user's input, whatever it holds."""
    try:
        text = json.dumps(term, skipkeys=True,
                          default=lambda o: f'<{type(o).__name__}>')
    except (ValueError, RecursionError):
        # Circular or absurdly deep lists passed in already decoded.
        text = f'<{type(term).__name__}>'
    return _truncated(text)


def _truncated(text):
    if len(text) <= _SHOWN_CHARS:
        return text
    return text[:_SHOWN_CHARS] + '...'


# --- using ------------------------------------------------------------------

def fields(expr: Expression | None) -> frozenset[str]:
    """The property names ``expr`` refers to (without the ``$``)."""
    match expr:
        case None:
            return frozenset()
        case Comparison(field=name):
            return frozenset((name,))
        case And(terms=terms) | Or(terms=terms):
            return frozenset().union(*(fields(t) for t in terms))


def to_clause(expr: Expression | None,
              resolve: typing.Callable[[str], ComparableProperty]):
    """Compile ``expr`` into a SQLAlchemy boolean clause.

    ``resolve(name)`` is called once per property name, before any SQL is
    built, so a plugin may raise for unknown names or set up one join per
    property. No filter compiles to ``true()``.
    """
    if expr is None:
        return sqlalchemy.true()
    properties = {name: resolve(name) for name in sorted(fields(expr))}
    return _compiled(expr, properties)


def _compiled(expr, properties):
    match expr:
        case Comparison(op=op, field=name, value=value):
            return properties[name].compare(op, value)
        case And(terms=terms):
            return sqlalchemy.and_(*(_compiled(t, properties) for t in terms))
        case Or(terms=terms):
            return sqlalchemy.or_(*(_compiled(t, properties) for t in terms))


def matches(expr: Expression | None, properties: dict) -> bool:
    """Whether a resource with ``properties`` (name -> value) passes
    ``expr``; the reference semantics every SQL compilation must follow."""
    match expr:
        case None:
            return True
        case Comparison(op=op, field=name, value=value):
            return satisfies(properties.get(name), op, value)
        case And(terms=terms):
            return all(matches(t, properties) for t in terms)
        case Or(terms=terms):
            return any(matches(t, properties) for t in terms)


def satisfies(actual: Value, op: str, wanted: Value) -> bool:
    """Whether ``actual op wanted`` holds under the module's semantics.

    ``actual`` is a resource's value (``None`` when it has none); ``op`` is
    canonical and ``wanted`` is ``None`` only with ``==``/``!=``, as
    ``parse`` guarantees.
    """
    if wanted is None:
        return _NULL_TESTS[op](actual)
    if actual is None:
        return False
    left, right = numeric(actual), numeric(wanted)
    if left is None or right is None:
        left, right = as_text(actual), as_text(wanted)
    return _ARITHMETIC[op](left, right)


def numeric(value) -> float | None:
    """The number ``value`` stands for, or ``None`` if it is not one.

    A JSON number (not a boolean) or a string in plain decimal notation
    (``"16"``, ``"2.5"``, ``"-3"``); the result must be finite. Plugins store
    it beside text values so that SQL can compare numbers as numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            return None
    elif not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def as_text(value) -> str:
    """The text a value compares as when one side is not a number: strings
    as they are, numbers in Python's shortest form (``16``, ``2.5``)."""
    return value if isinstance(value, str) else str(value)

"""Tests for the requirements query language (blazar.plugins.query)."""

import dataclasses
import json
import operator

import hypothesis
from hypothesis import strategies as st
import sqlalchemy as sa
import testtools

from blazar import exceptions
from blazar.plugins import query
from blazar.plugins.query import And, Comparison, Or


class MalformedAssertions:
    def assertMalformed(self, requirements, shown, reason):
        error = self.assertRaises(exceptions.MalformedRequirements,
                                  query.parse, requirements)
        self.assertEqual(f'Malformed requirements {shown}: {reason}',
                         str(error))
        self.assertEqual({'rqrms': shown, 'reason': reason}, error.kwargs)
        return error


class TestParseAccepts(testtools.TestCase):

    def test_no_filter(self):
        for requirements in (None, '', '[]', []):
            self.assertIsNone(query.parse(requirements), requirements)

    def test_comparison_from_json_text(self):
        self.assertEqual(Comparison('>=', 'vcpus', '16'),
                         query.parse('[">=", "$vcpus", "16"]'))

    def test_comparison_from_decoded_list(self):
        self.assertEqual(Comparison('<', 'memory_mb', 4096),
                         query.parse(['<', '$memory_mb', 4096]))

    def test_every_operator(self):
        for op in ('==', '!=', '>=', '<=', '>', '<'):
            self.assertEqual(Comparison(op, 'a', 'x'),
                             query.parse([op, '$a', 'x']))

    def test_single_equals_is_equality(self):
        self.assertEqual(Comparison('==', 'a', 'x'),
                         query.parse(['=', '$a', 'x']))

    def test_numbers(self):
        for value in (0, -3, 16, 2.5, -0.5, 1e300, 2 ** 60):
            expr = query.parse(json.dumps(['>', '$a', value]))
            self.assertEqual(value, expr.value)
            self.assertIs(type(value), type(expr.value))

    def test_null_with_equality_operators(self):
        for op, canonical in (('==', '=='), ('=', '=='), ('!=', '!=')):
            self.assertEqual(Comparison(canonical, 'gpu', None),
                             query.parse(f'["{op}", "$gpu", null]'))

    def test_any_text_value(self):
        for value in ('', ' QEMU ', 'é漢字', '1e3', '[1]', '\u2028'):
            self.assertEqual(value, query.parse(['==', '$a', value]).value)

    def test_property_name_characters(self):
        self.assertEqual('Az09_-:.x',
                         query.parse(['==', '$Az09_-:.x', 1]).field)

    def test_property_name_of_255_characters(self):
        name = 'n' * 255
        self.assertEqual(name, query.parse(['==', '$' + name, 1]).field)

    def test_and_or_nested(self):
        text = ('["and", ["==", "$a", "x"],'
                ' ["or", [">", "$b", 1], ["==", "$c", null]]]')
        self.assertEqual(
            And((Comparison('==', 'a', 'x'),
                 Or((Comparison('>', 'b', 1), Comparison('==', 'c', None))))),
            query.parse(text))

    def test_every_term_of_a_nested_and_is_kept(self):
        # Upstream kept only the first term of a nested "and".
        expr = query.parse(['and', ['and', ['==', '$a', 1], ['==', '$b', 2]]])
        self.assertEqual(2, len(expr.terms[0].terms))

    def test_single_term_connective(self):
        self.assertEqual(Or((Comparison('==', 'a', 1),)),
                         query.parse(['or', ['==', '$a', 1]]))

    def test_deepest_nesting_allowed(self):
        expr = nested(['==', '$a', 1], query.MAX_DEPTH - 1)
        depth = 1
        node = query.parse(expr)
        while isinstance(node, And):
            node, depth = node.terms[0], depth + 1
        self.assertEqual(query.MAX_DEPTH, depth)

    def test_most_comparisons_allowed(self):
        expr = query.parse(['and'] + [['==', '$a', i]
                                      for i in range(query.MAX_COMPARISONS)])
        self.assertEqual(query.MAX_COMPARISONS, len(expr.terms))

    def test_tree_is_immutable_and_hashable(self):
        expr = query.parse(['and', ['==', '$a', 1]])
        self.assertRaises(dataclasses.FrozenInstanceError,
                          setattr, expr, 'terms', ())
        self.assertIsInstance(expr.terms, tuple)
        self.assertEqual(hash(expr),
                         hash(query.parse(['and', ['=', '$a', 1]])))

    def test_input_list_is_not_changed(self):
        requirements = ['and', ['=', '$a', 1]]
        query.parse(requirements)
        self.assertEqual(['and', ['=', '$a', 1]], requirements)


def shown(term):
    text = json.dumps(term)
    return text if len(text) <= 200 else text[:200] + '...'


def nested(expr, levels):
    for _ in range(levels):
        expr = ['and', expr]
    return expr


ARITY = 'a comparison needs an operator, a $field and a value'
FIELD = ('the field must be "$" followed by a property name of letters, '
         'digits, "_", "-", ":" or "." (at most 255)')
VALUE = 'the value must be a string, a number or null'
FINITE = 'numbers must be finite and within the range of a double'
ARRAY = 'an expression must be a JSON array'
TEXT = 'text must be valid Unicode without NUL characters'


class TestParseRejects(MalformedAssertions, testtools.TestCase):

    def test_is_invalid_input(self):
        error = self.assertRaises(exceptions.InvalidInput, query.parse, '[')
        self.assertIsInstance(error, exceptions.MalformedRequirements)

    def test_invalid_json(self):
        self.assertMalformed(
            '[">=", "$vcpus", 16', '[">=", "$vcpus", 16',
            "not valid JSON (Expecting ',' delimiter at character 19)")

    def test_whitespace_is_not_an_empty_filter(self):
        self.assertMalformed(
            ' ', ' ', 'not valid JSON (Expecting value at character 1)')

    def test_integer_too_long_for_python(self):
        text = '["<", "$a", %s]' % ('9' * 5000)
        error = self.assertMalformed(text, text[:200] + '...',
                                     'not valid JSON (a number is too long)')
        self.assertLess(len(str(error)), 300)

    def test_wrong_type_of_requirements(self):
        for requirements, shown in ((42, '42'), (True, 'true'),
                                    ({'a': 1}, '{"a": 1}'),
                                    (('==', '$a', 1), '["==", "$a", 1]'),
                                    (b'[]', '"<bytes>"')):
            self.assertMalformed(requirements, shown,
                                 'requirements must be JSON text or a list')

    def test_json_that_is_not_an_array(self):
        for text in ('{"a": 1}', '"x"', '16', 'null', 'true'):
            self.assertMalformed(text, text, ARRAY)

    def test_nested_term_that_is_not_an_array(self):
        self.assertMalformed('["and", "$a"]', '"$a"', ARRAY)
        self.assertMalformed(['or', ['==', '$a', 1], {'x': 1}],
                             '{"x": 1}', ARRAY)

    def test_nested_empty_expression(self):
        self.assertMalformed(['and', []], '[]',
                             'an expression cannot be empty')

    def test_head_is_not_an_operator(self):
        for head in (1, None, ['=='], True):
            term = [head, '$a', 1]
            self.assertMalformed(term, json.dumps(term),
                                 'an expression must start with an operator')

    def test_unknown_operator(self):
        for op in ('~', '===', '=<', 'AND', 'not', 'in', ''):
            term = [op, '$a', 1]
            self.assertMalformed(
                term, json.dumps(term),
                f'unknown operator "{op}"; expected one of '
                '==, =, !=, >=, <=, >, <, and, or')

    def test_connective_without_expressions(self):
        self.assertMalformed('["and"]', '["and"]',
                             '"and" needs at least one expression')
        self.assertMalformed(['or'], '["or"]',
                             '"or" needs at least one expression')

    def test_comparison_arity(self):
        for term in (['<', '$vcpus'], ['<'], ['==', '$a', 1, 2]):
            self.assertMalformed(term, json.dumps(term), ARITY)

    def test_message_known_to_clients(self):
        self.assertMalformed(
            '["<", "$vcpus"]', '["<", "$vcpus"]',
            'a comparison needs an operator, a $field and a value')

    def test_bad_field(self):
        for field in ('vcpus', '$', '$$a', '$a b', '$a\n', '$é', '$a/b',
                      '$' + 'n' * 256, '', ' $a'):
            term = ['==', field, 1]
            self.assertMalformed(term, shown(term), FIELD)

    def test_field_that_is_not_text(self):
        for field in (1, None, ['$a'], {'$a': 1}, True):
            term = ['==', field, 1]
            self.assertMalformed(term, json.dumps(term), FIELD)

    def test_value_of_wrong_type(self):
        for value in (True, False, [1], {'a': 1}):
            term = ['==', '$a', value]
            self.assertMalformed(term, json.dumps(term), VALUE)

    def test_null_with_ordering_operator(self):
        for op in ('>=', '<=', '>', '<'):
            self.assertMalformed(
                [op, '$a', None], f'["{op}", "$a", null]',
                'null can only be compared with == or !=')

    def test_non_finite_numbers_in_json(self):
        for literal, shown in (('NaN', 'NaN'), ('Infinity', 'Infinity'),
                               ('-Infinity', '-Infinity'),
                               ('1e400', 'Infinity'),
                               ('-1e400', '-Infinity')):
            self.assertMalformed(f'["<", "$a", {literal}]',
                                 f'["<", "$a", {shown}]', FINITE)

    def test_integer_beyond_double_range(self):
        term = ['<', '$a', 10 ** 400]
        self.assertMalformed(term, shown(term), FINITE)

    def test_text_the_database_cannot_store(self):
        self.assertMalformed(r'["==", "$a", "\ud800"]',
                             r'["==", "$a", "\ud800"]', TEXT)
        self.assertMalformed(r'["==", "$a", "x\u0000"]',
                             r'["==", "$a", "x\u0000"]', TEXT)

    def test_error_names_the_faulty_term_not_the_whole_filter(self):
        self.assertMalformed(
            ['and', ['==', '$a', 1], ['or', ['>', '$b', True]]],
            '[">", "$b", true]', VALUE)

    def test_too_deep(self):
        too_deep = nested(['==', '$a', 1], query.MAX_DEPTH)
        reason = 'expressions nest deeper than 16 levels'
        self.assertMalformed(too_deep, json.dumps(too_deep), reason)
        self.assertMalformed(json.dumps(too_deep), json.dumps(too_deep),
                             reason)

    def test_far_too_deep_json_text(self):
        text = '[' * 100000 + ']' * 100000
        self.assertMalformed(text, '[' * 200 + '...',
                             'expressions nest deeper than 16 levels')

    def test_far_too_deep_decoded_list(self):
        deep = nested(['==', '$a', 1], 100000)
        self.assertMalformed(deep, '<list>',
                             'expressions nest deeper than 16 levels')

    def test_circular_list(self):
        circle = ['and']
        circle.append(circle)
        self.assertMalformed(circle, '<list>',
                             'expressions nest deeper than 16 levels')

    def test_too_many_comparisons(self):
        wide = ['and'] + [['==', '$a', 1]] * (query.MAX_COMPARISONS + 1)
        error = self.assertMalformed(wide, shown(wide),
                                     'more than 256 comparisons')
        self.assertLess(len(str(error)), 300)

    def test_too_many_comparisons_across_levels(self):
        half = ['or'] + [['==', '$a', 1]] * (query.MAX_COMPARISONS // 2)
        self.assertMalformed(['and', half, half, ['==', '$b', 1]],
                             shown(['and', half, half, ['==', '$b', 1]]),
                             'more than 256 comparisons')

    def test_unprintable_parts_are_named_by_type(self):
        self.assertMalformed(['==', '$a', {1, 2}], '["==", "$a", "<set>"]',
                             VALUE)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.text(max_size=8) | st.sampled_from(['and', 'or', '==', '=', '<',
                                             '$a', '$vcpus']),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=30)


class TestParseNeverFailsOtherwise(testtools.TestCase):

    @hypothesis.settings(max_examples=500, deadline=None, database=None)
    @hypothesis.given(JSON_VALUES)
    def test_decoded_values(self, requirements):
        try:
            query.parse(requirements)
        except exceptions.MalformedRequirements:
            pass

    @hypothesis.settings(max_examples=500, deadline=None, database=None)
    @hypothesis.given(st.text(max_size=40)
                      | JSON_VALUES.map(lambda v: json.dumps(v)[:-1]))
    def test_text(self, requirements):
        try:
            query.parse(requirements)
        except exceptions.MalformedRequirements:
            pass


class TestFields(testtools.TestCase):

    def test_no_filter(self):
        self.assertEqual(frozenset(), query.fields(None))

    def test_every_name_once(self):
        expr = query.parse(['and', ['==', '$a', 1],
                            ['or', ['>', '$b', 1], ['<', '$a', 5],
                             ['and', ['==', '$c:d', None]]]])
        self.assertEqual({'a', 'b', 'c:d'}, query.fields(expr))


class TestNumeric(testtools.TestCase):

    def test_numbers(self):
        for value, number in ((16, 16.0), (-3, -3.0), (2.5, 2.5),
                              ('16', 16.0), ('2.5', 2.5), ('-3', -3.0),
                              ('007', 7.0), ('-0', 0.0), ('0.10', 0.1)):
            self.assertEqual(number, query.numeric(value), value)
            self.assertIsInstance(query.numeric(value), float)

    def test_not_numbers(self):
        for value in ('1e400', '1e3', 'nan', 'NaN', 'inf', 'Infinity',
                      '0x10', '+3', '.5', '5.', ' 16', '16 ', '1_000',
                      '١٢', '', '-', '9' * 400, float('nan'), float('inf'),
                      10 ** 400, True, False, None, [1], b'1'):
            self.assertIsNone(query.numeric(value), repr(value)[:20])


class TestAsText(testtools.TestCase):

    def test_forms(self):
        self.assertEqual('QEMU', query.as_text('QEMU'))
        self.assertEqual('16', query.as_text(16))
        self.assertEqual('2.5', query.as_text(2.5))
        self.assertEqual('1e+20', query.as_text(1e20))


class TestSatisfies(testtools.TestCase):

    def test_numbers_compare_numerically(self):
        self.assertTrue(query.satisfies('16', '>', '8'))
        self.assertTrue(query.satisfies(16, '>', '8'))
        self.assertTrue(query.satisfies('16', '>=', 8))
        self.assertFalse(query.satisfies('10', '<', '9'))
        self.assertTrue(query.satisfies('16.0', '==', 16))
        self.assertTrue(query.satisfies('007', '==', '7'))
        self.assertFalse(query.satisfies(16, '!=', '16'))
        self.assertTrue(query.satisfies(2.5, '<', 3))

    def test_text_compares_by_code_point(self):
        self.assertTrue(query.satisfies('abc', '>', '5'))
        self.assertTrue(query.satisfies('abc', '>', 5))
        self.assertTrue(query.satisfies('QEMU', '<', 'qemu'))
        self.assertFalse(query.satisfies('QEMU', '==', 'qemu'))
        self.assertTrue(query.satisfies('é', '>', 'z'))

    def test_mixed_sides_compare_as_text(self):
        # "1e3" is not a number here, so 999 is compared as the text "999".
        self.assertTrue(query.satisfies('1e3', '<', 999))
        self.assertTrue(query.satisfies(16, '<', 'abc'))
        self.assertFalse(query.satisfies(16, '==', 'sixteen'))

    def test_missing_value_satisfies_only_equal_null(self):
        self.assertTrue(query.satisfies(None, '==', None))
        self.assertFalse(query.satisfies(None, '!=', None))
        for op in query.OPERATORS:
            self.assertFalse(query.satisfies(None, op, 'x'), op)
            self.assertFalse(query.satisfies(None, op, 0), op)

    def test_present_value_and_null(self):
        self.assertFalse(query.satisfies('', '==', None))
        self.assertTrue(query.satisfies(0, '!=', None))


class TestMatches(testtools.TestCase):

    host = {'hypervisor_type': 'QEMU', 'vcpus': 16, 'gpu': None,
            'tier': '2'}

    def check(self, requirements, expected):
        self.assertEqual(expected,
                         query.matches(query.parse(requirements), self.host),
                         requirements)

    def test_no_filter_matches_everything(self):
        self.check(None, True)

    def test_comparisons(self):
        self.check(['==', '$hypervisor_type', 'QEMU'], True)
        self.check(['>=', '$vcpus', '8'], True)
        self.check(['>', '$tier', '10'], False)
        self.check(['==', '$gpu', None], True)
        self.check(['==', '$absent', None], True)
        self.check(['!=', '$absent', 'x'], False)
        self.check(['!=', '$gpu', None], False)
        self.check(['!=', '$vcpus', None], True)

    def test_and(self):
        self.check(['and', ['==', '$vcpus', 16], ['==', '$tier', 2]], True)
        self.check(['and', ['==', '$vcpus', 16], ['==', '$tier', 3]], False)

    def test_or(self):
        self.check(['or', ['==', '$vcpus', 8], ['==', '$tier', 2]], True)
        self.check(['or', ['==', '$vcpus', 8], ['<', '$absent', 2]], False)

    def test_nested(self):
        self.check(['and', ['or', ['==', '$absent', 1], ['>', '$vcpus', 8]],
                    ['or', ['==', '$gpu', None]]], True)


# --- SQL ---------------------------------------------------------------------

# A table shaped like Blazar's: text and integer columns that may be NULL.
# Text keeps its numeric reading beside it (as extra capabilities keep
# ``numeric_value``) so that SQL can compare numbers as numbers.
METADATA = sa.MetaData()
HOSTS = sa.Table(
    'hosts', METADATA,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('hypervisor_type', sa.Text),
    sa.Column('hypervisor_type_number', sa.Float),
    sa.Column('vcpus', sa.Integer),
    sa.Column('tier', sa.Text),
    sa.Column('tier_number', sa.Float),
)
SQL_OPERATORS = {
    '==': operator.eq, '!=': operator.ne, '>=': operator.ge,
    '<=': operator.le, '>': operator.gt, '<': operator.lt,
}


def null_test(column, op):
    return column.is_(None) if op == '==' else column.is_not(None)


class IntegerProperty:
    """An integer column: numbers compare as numbers, text as text."""

    def __init__(self, column):
        self.column = column

    def compare(self, op, value):
        if value is None:
            return null_test(self.column, op)
        number = query.numeric(value)
        if number is not None:
            return SQL_OPERATORS[op](self.column, number)
        return SQL_OPERATORS[op](sa.cast(self.column, sa.Text), value)


class TextProperty:
    """A text column with its numeric reading kept in ``number``."""

    def __init__(self, text, number):
        self.text, self.number = text, number

    def compare(self, op, value):
        if value is None:
            return null_test(self.text, op)
        as_text = SQL_OPERATORS[op](self.text, query.as_text(value))
        number = query.numeric(value)
        if number is None:
            return as_text
        return sa.or_(
            sa.and_(self.number.is_not(None),
                    SQL_OPERATORS[op](self.number, number)),
            sa.and_(self.number.is_(None), as_text))


PROPERTIES = {
    'hypervisor_type': TextProperty(HOSTS.c.hypervisor_type,
                                    HOSTS.c.hypervisor_type_number),
    'vcpus': IntegerProperty(HOSTS.c.vcpus),
    'tier': TextProperty(HOSTS.c.tier, HOSTS.c.tier_number),
}

ROWS = [
    (1, 'QEMU', 16, 'gold'),
    (2, 'qemu', 8, '16'),
    (3, 'ironic', None, '8'),
    (4, None, 32, None),
    (5, 'QEMU', 4, '2.5'),
    (6, 'Xen', 0, '-3'),
    (7, '', 16, '1e3'),
]


class SQLiteTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        engine = sa.create_engine('sqlite://')
        self.addCleanup(engine.dispose)
        self.connection = engine.connect()
        self.addCleanup(self.connection.close)
        METADATA.create_all(self.connection)

    def store(self, rows):
        self.connection.execute(HOSTS.delete())
        if not rows:
            return
        self.connection.execute(HOSTS.insert(), [
            {'id': id_, 'hypervisor_type': hypervisor_type,
             'hypervisor_type_number': query.numeric(hypervisor_type),
             'vcpus': vcpus, 'tier': tier,
             'tier_number': query.numeric(tier)}
            for id_, hypervisor_type, vcpus, tier in rows])

    def selected_by_sql(self, expr):
        clause = query.to_clause(expr, PROPERTIES.__getitem__)
        found = self.connection.execute(sa.select(HOSTS.c.id).where(clause))
        return {id_ for (id_,) in found}

    @staticmethod
    def selected_by_matches(expr, rows):
        return {id_ for id_, hypervisor_type, vcpus, tier in rows
                if query.matches(expr, {'hypervisor_type': hypervisor_type,
                                        'vcpus': vcpus, 'tier': tier})}


class TestToClause(SQLiteTestCase):

    def setUp(self):
        super().setUp()
        self.store(ROWS)

    def check(self, requirements, expected_ids):
        expr = query.parse(requirements)
        self.assertEqual(set(expected_ids), self.selected_by_matches(
            expr, ROWS), f'matches: {requirements}')
        self.assertEqual(set(expected_ids), self.selected_by_sql(expr),
                         f'SQL: {requirements}')

    def test_no_filter_selects_everything(self):
        self.check(None, range(1, 8))

    def test_text_column(self):
        self.check(['==', '$hypervisor_type', 'QEMU'], {1, 5})
        self.check(['!=', '$hypervisor_type', 'QEMU'], {2, 3, 6, 7})
        self.check(['<', '$hypervisor_type', 'Xen'], {1, 5, 7})
        self.check(['>=', '$hypervisor_type', 5], {1, 2, 3, 5, 6})

    def test_integer_column(self):
        self.check(['>=', '$vcpus', 16], {1, 4, 7})
        self.check(['>=', '$vcpus', '16'], {1, 4, 7})
        self.check(['<', '$vcpus', 4.5], {5, 6})
        self.check(['==', '$vcpus', '16.0'], {1, 7})
        self.check(['<', '$vcpus', 'a'], {1, 2, 4, 5, 6, 7})

    def test_text_holding_numbers(self):
        # "16" > "8" numerically, unlike upstream's text comparison; "gold"
        # and "1e3" are not numbers, so they compare with the text "8".
        self.check(['>', '$tier', 8], {1, 2})
        self.check(['>', '$tier', '8'], {1, 2})
        self.check(['<', '$tier', 8], {5, 6, 7})
        self.check(['<=', '$tier', 2.5], {5, 6, 7})
        self.check(['==', '$tier', '-3.0'], {6})
        self.check(['>=', '$tier', 'a'], {1})

    def test_null(self):
        self.check(['==', '$vcpus', None], {3})
        self.check(['!=', '$tier', None], {1, 2, 3, 5, 6, 7})
        self.check(['=', '$hypervisor_type', None], {4})

    def test_connectives(self):
        self.check(['and', ['==', '$hypervisor_type', 'QEMU'],
                    ['>', '$vcpus', 8]], {1})
        self.check(['or', ['==', '$vcpus', None], ['==', '$tier', 'gold']],
                   {1, 3})
        self.check(['or', ['and', ['>', '$vcpus', 8], ['!=', '$tier', '1e3']],
                    ['and', ['==', '$hypervisor_type', 'ironic']]], {1, 3})

    def test_resolves_each_property_once_before_building(self):
        resolved = []

        def resolve(name):
            resolved.append(name)
            return PROPERTIES[name]

        query.to_clause(query.parse(
            ['and', ['>', '$vcpus', 1], ['or', ['<', '$vcpus', 9],
                                         ['==', '$tier', 'x']]]), resolve)
        self.assertEqual(['tier', 'vcpus'], resolved)

    def test_unknown_property_is_the_plugins_decision(self):
        self.assertRaises(KeyError, query.to_clause,
                          query.parse(['==', '$gpu', 1]),
                          PROPERTIES.__getitem__)

    def test_no_filter_resolves_nothing(self):
        clause = query.to_clause(None, self.fail)
        self.assertEqual(7, len(self.connection.execute(
            sa.select(HOSTS.c.id).where(clause)).all()))


# Values chosen to collide often: equal numbers written differently, text
# that looks almost numeric, case and non-ASCII differences.
PLAIN_TEXTS = st.sampled_from(
    ['', 'QEMU', 'qemu', 'Xen', 'gold', 'é', 'z', '1e3', '0x10', ' 8', 'nan',
     '16', '16.0', '8', '2.5', '-3', '007', '-0'])
TEXTS = (PLAIN_TEXTS
         | st.integers(-20, 20).map(str)
         | st.floats(-20, 20).map(lambda f: f'{f:.2f}')
         | st.text(st.characters(blacklist_categories=('Cs',),
                                 blacklist_characters='\x00'), max_size=4))
NUMBERS = st.integers(-20, 20) | st.floats(-1e6, 1e6) | st.sampled_from(
    [0.5, -0.0, 1e-05, 1e20])

COMPARISONS = st.one_of(
    st.tuples(st.sampled_from(['==', '=', '!=', '>=', '<=', '>', '<']),
              st.sampled_from(['$hypervisor_type', '$vcpus', '$tier']),
              TEXTS | NUMBERS),
    st.tuples(st.sampled_from(['==', '=', '!=']),
              st.sampled_from(['$hypervisor_type', '$vcpus', '$tier']),
              st.none()),
).map(list)
FILTERS = st.recursive(
    COMPARISONS,
    lambda inner: st.tuples(st.sampled_from(['and', 'or']),
                            st.lists(inner, min_size=1, max_size=4))
    .map(lambda pair: [pair[0], *pair[1]]),
    max_leaves=12)
HOST_ROWS = st.lists(
    st.tuples(st.none() | TEXTS, st.none() | st.integers(-20, 20),
              st.none() | TEXTS),
    max_size=8,
).map(lambda rows: [(i, *row) for i, row in enumerate(rows, start=1)])


class TestSQLAgreesWithMatches(SQLiteTestCase):

    @hypothesis.settings(max_examples=400, deadline=None, database=None)
    @hypothesis.given(FILTERS, HOST_ROWS)
    def test_same_hosts(self, requirements, rows):
        expr = query.parse(json.dumps(requirements))
        self.store(rows)
        self.assertEqual(self.selected_by_matches(expr, rows),
                         self.selected_by_sql(expr))

"""Request bodies: strict JSON, and only text a database can store."""

import testtools

from blazar.api import hooks
from blazar import exceptions


class ParseJsonTest(testtools.TestCase):

    def test_refused(self):
        for text in ('{"a": NaN}', '[Infinity]', '{"a": -Infinity}',
                     '{"a": "\\u0000"}', '{"\\ud800": 1}',
                     '[[{"deep": ["\\udfff"]}]]', '{"a": 1', '[' * 5000,
                     '1' * 5000):
            self.assertRaises(exceptions.InvalidInput, hooks.parse_json,
                              text)

    def test_accepted(self):
        self.assertEqual({'name': '\U0001f600 ok', 'n': [1.5, None, True]},
                         hooks.parse_json(
                             '{"name": "\\ud83d\\ude00 ok", '
                             '"n": [1.5, null, true]}'))

import datetime

import testtools

from blazar import dates
from blazar import exceptions


class ParseTest(testtools.TestCase):

    def test_accepted_forms(self):
        expected = datetime.datetime(2030, 1, 2, 3, 4)
        for text in ('2030-01-02 03:04', '2030-01-02T03:04',
                     '2030-01-02 03:04:00', '2030-01-02T03:04:00Z',
                     '2030-01-02T05:04:00+02:00', '2030-01-02T03:04:00.000'):
            self.assertEqual(expected, dates.parse(text), text)

    def test_fraction_and_offset(self):
        self.assertEqual(datetime.datetime(2030, 1, 1, 23, 30, 5, 250000),
                         dates.parse('2030-01-02T01:00:05.25+0130'))

    def test_now(self):
        before = dates.utcnow()
        now = dates.parse('now')
        self.assertEqual(0, now.microsecond)
        self.assertLessEqual(before, now)

    def test_rejected_with_upstream_message(self):
        for value in ('2030-01-02', 'tomorrow', '2030-13-01 10:00', 17,
                      None, '2030-01-02 10:00 ', '20300102T1000',
                      '9999-12-31T23:59:59-14:00', '0001-01-01T00:00+14:00',
                      '9000-01-01 00:00', '2030-01-02T03:04+99:00'):
            error = self.assertRaises(exceptions.InvalidDate, dates.parse,
                                      value)
            self.assertEqual('%s is an invalid date. Required format: '
                             '%%Y-%%m-%%d %%H:%%M' % value, str(error))

    def test_now_refused_where_not_allowed(self):
        self.assertRaises(exceptions.InvalidDate, dates.parse, 'now',
                          allow_now=False)


class FormatTest(testtools.TestCase):

    def test_wire_round_trip(self):
        value = datetime.datetime(2030, 1, 2, 3, 4, 5, 6)
        self.assertEqual('2030-01-02T03:04:05.000006', dates.to_wire(value))
        self.assertEqual(value, dates.parse_wire(dates.to_wire(value)))
        self.assertIsNone(dates.to_wire(None))

    def test_timestamps_as_upstream(self):
        self.assertEqual('2030-01-02 03:04:05', dates.to_timestamp(
            datetime.datetime(2030, 1, 2, 3, 4, 5)))
        self.assertEqual('2030-01-02 03:04:05.000007', dates.to_timestamp(
            datetime.datetime(2030, 1, 2, 3, 4, 5, 7)))
        self.assertIsNone(dates.to_timestamp(None))

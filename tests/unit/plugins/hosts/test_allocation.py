"""Choosing hosts among the free ones (pure logic)."""

import random

import testtools

from blazar.plugins.hosts import allocation

Free = allocation.FreeHost


def ids(hosts):
    return [h.id for h in hosts]


class TestChoose(testtools.TestCase):

    FREE = [Free(4, 0, True), Free(1, 3, False), Free(3, 0, True),
            Free(2, 1, False)]

    def test_unbooked_hosts_first_then_by_id(self):
        self.assertEqual([1, 2, 3, 4],
                         ids(allocation.choose(self.FREE, 1, 4)))

    def test_takes_max_when_available(self):
        self.assertEqual([1, 2, 3], ids(allocation.choose(self.FREE, 1, 3)))

    def test_takes_what_there_is_above_min(self):
        self.assertEqual([1, 2, 3, 4],
                         ids(allocation.choose(self.FREE, 2, 10)))

    def test_none_below_min(self):
        self.assertIsNone(allocation.choose(self.FREE, 5, 10))
        self.assertIsNone(allocation.choose([], 1, 1))

    def test_held_hosts_are_kept_first(self):
        self.assertEqual([3, 4], ids(allocation.choose(self.FREE, 1, 2,
                                                       prefer={3, 4})))

    def test_randomized_within_groups(self):
        free = [Free(n, 0, n > 10) for n in range(1, 21)]
        seen = set()
        for seed in range(20):
            chosen = ids(allocation.choose(free, 1, 20, randomize=True,
                                           rng=random.Random(seed)))
            self.assertEqual(set(range(1, 11)), set(chosen[:10]))
            self.assertEqual(set(range(11, 21)), set(chosen[10:]))
            seen.add(tuple(chosen))
        self.assertGreater(len(seen), 1)

    def test_deterministic_without_randomize(self):
        free = [Free(n, 0, False) for n in (5, 3, 9)]
        self.assertEqual([3, 5], ids(allocation.choose(free, 1, 2)))

"""Counting free slots and choosing hosts for them (pure logic)."""

import datetime

import testtools

from blazar.plugins.instances import allocation

Size = allocation.Size
T0 = datetime.datetime(2040, 1, 1, 10, 0)


def at(hours):
    return T0 + datetime.timedelta(hours=hours)


def host(host_id=1, vcpus=8, memory_mb=16384, disk_gb=100):
    return allocation.Candidate(host_id, 0, 'hv-%d' % host_id,
                                Size(vcpus, memory_mb, disk_gb))


def use(start, end, slots, vcpus=1, memory_mb=1024, disk_gb=10, host_id=1):
    return allocation.Use(host_id, at(start), at(end), slots,
                          Size(vcpus, memory_mb, disk_gb))


class TestFreeSlots(testtools.TestCase):

    SIZE = Size(2, 1024, 10)

    def test_empty_host_limited_by_its_scarcest_resource(self):
        self.assertEqual(4, allocation.free_slots(
            host(), [], self.SIZE, at(0), at(2)))
        self.assertEqual(3, allocation.free_slots(
            host(memory_mb=3500), [], self.SIZE, at(0), at(2)))

    def test_every_slot_of_a_use_counts(self):
        self.assertEqual(2, allocation.free_slots(
            host(), [use(0, 2, 2, vcpus=2)], self.SIZE, at(0), at(2)))

    def test_peak_over_time_not_sum(self):
        # Two uses one after the other never hold the host together.
        uses = [use(0, 1, 3, vcpus=2), use(1, 2, 3, vcpus=2)]
        self.assertEqual(1, allocation.free_slots(
            host(), uses, self.SIZE, at(0), at(2)))
        overlapping = [use(0, 2, 1, vcpus=2), use(1, 3, 2, vcpus=2)]
        self.assertEqual(1, allocation.free_slots(
            host(), overlapping, self.SIZE, at(0), at(3)))

    def test_use_started_before_the_window_counts(self):
        self.assertEqual(0, allocation.free_slots(
            host(), [use(-5, 1, 4, vcpus=2)], self.SIZE, at(0), at(2)))

    def test_zero_disk_is_no_constraint(self):
        self.assertEqual(8, allocation.free_slots(
            host(disk_gb=0), [], Size(1, 1, 0), at(0), at(1)))


class TestChoose(testtools.TestCase):

    FREE = {1: 1, 2: 3, 3: 2}

    def test_preference_held_then_shared_then_by_id(self):
        self.assertEqual([3, 2, 1], allocation.preference(
            {1: 1, 2: 1, 3: 1, 4: 0}, shared={2}, held={3}))

    def test_preferred_hosts_come_after_held_ones_if_they_have_room(self):
        free = {1: 1, 2: 1, 3: 1, 4: 0}
        self.assertEqual([3, 1, 2], allocation.preference(
            free, shared={2}, held={3}, prefer={1}))
        self.assertEqual([2, 1, 3], allocation.preference(
            free, shared={2}, prefer={4}))

    def test_no_affinity_fills_in_order(self):
        self.assertEqual({1: 1, 2: 3, 3: 1}, allocation.choose(
            self.FREE, [1, 2, 3], 5, None))
        self.assertIsNone(allocation.choose(self.FREE, [1, 2, 3], 7, None))

    def test_affinity_puts_all_on_one_host(self):
        self.assertEqual({2: 3}, allocation.choose(
            self.FREE, [1, 3, 2], 3, True))
        self.assertIsNone(allocation.choose(self.FREE, [1, 2, 3], 4, True))

    def test_anti_affinity_uses_distinct_hosts(self):
        self.assertEqual({1: 1, 2: 1, 3: 1}, allocation.choose(
            self.FREE, [1, 2, 3], 3, False))
        self.assertIsNone(allocation.choose(self.FREE, [1, 2, 3], 4, False))

    def test_kept_slots_stay_and_more_are_added(self):
        self.assertEqual({3: 2, 1: 1}, allocation.choose(
            self.FREE, [3, 1, 2], 3, None, keep={3: 2}))
        self.assertEqual({3: 1, 1: 1}, allocation.choose(
            self.FREE, [3, 1, 2], 2, False, keep={3: 1}))
        self.assertIsNone(allocation.choose(self.FREE, [2, 1, 3], 3, True,
                                            keep={3: 2}))
        self.assertIsNone(allocation.choose({3: 1}, [3], 2, None,
                                            keep={3: 2}))


class TestReplacement(testtools.TestCase):
    """Slots displaced from failed hosts: as many as fit, by affinity."""

    FREE = {1: 1, 2: 3, 3: 2}

    def test_no_affinity_takes_what_fits_anywhere(self):
        self.assertEqual({1: 1, 2: 2}, allocation.replacement(
            self.FREE, [1, 2, 3], 3, None, held={1: 1}))
        self.assertEqual({1: 1, 2: 3, 3: 2}, allocation.replacement(
            self.FREE, [1, 2, 3], 9, None, held={}))

    def test_affinity_moves_all_together_or_nothing(self):
        self.assertEqual({2: 3}, allocation.replacement(
            self.FREE, [1, 2, 3], 3, True, held={}))
        self.assertEqual({}, allocation.replacement(
            self.FREE, [1, 2, 3], 4, True, held={}))

    def test_anti_affinity_avoids_hosts_already_held(self):
        self.assertEqual({3: 1}, allocation.replacement(
            self.FREE, [1, 2, 3], 1, False, held={1: 1, 2: 1, 9: 1}))
        self.assertEqual({3: 1}, allocation.replacement(
            self.FREE, [1, 2, 3], 2, False, held={1: 1, 2: 1}))
        self.assertEqual({}, allocation.replacement(
            self.FREE, [1, 2], 1, False, held={1: 1, 2: 1}))

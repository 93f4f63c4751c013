"""Blazar: time-based reservations of OpenStack capacity.

Kept free of side effects: the Nova scheduler filter in ``blazar.nova`` is
imported by nova-scheduler, which must not inherit our process set-up.
"""

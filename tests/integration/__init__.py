"""Tests against real OpenStack services (the test cloud in tools/cloud).

They run only when BLAZAR_TEST_CLOUD=1; see tests/integration/cloud.py.
"""

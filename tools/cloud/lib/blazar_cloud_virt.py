"""Fake hypervisors with a realistic size, for the Blazar test cloud.

Nova's ``fake.FakeDriverWithoutFakeNodes`` keeps its node identity across
restarts (plain ``fake.FakeDriver`` does not, and a restarted nova-compute then
refuses to start), but it reports 1000 VCPU and 800 GB of RAM. Capacity
decisions (instance reservations, "not enough hosts") are only testable with
nodes that can actually fill up, so these classes shrink the inventory.

Nova loads a driver only as ``nova.virt.<compute_driver>``; start.sh therefore
copies this file into the cloud venv's ``nova/virt/`` package. Select one with
``BLAZAR_CLOUD_COMPUTE_DRIVER=blazar_cloud_virt.SmallNode``.
"""
from nova.virt import fake


class SmallNode(fake.FakeDriverWithoutFakeNodes):
    """8 VCPU, 16 GiB RAM, 200 GiB disk."""

    vcpus = 8
    memory_mb = 16384
    local_gb = 200


class LargeNode(fake.FakeDriverWithoutFakeNodes):
    """32 VCPU, 128 GiB RAM, 1 TiB disk."""

    vcpus = 32
    memory_mb = 131072
    local_gb = 1000

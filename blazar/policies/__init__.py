"""Default policy rules, one module per resource, as upstream names them."""

import itertools

from blazar.policies import base
from blazar.policies import hosts
from blazar.policies import leases


def list_rules():
    return list(itertools.chain(base.list_rules(), leases.list_rules(),
                                hosts.list_rules()))

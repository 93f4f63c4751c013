"""Rules for /v1/os-hosts (host enrollment and allocation views)."""

from oslo_policy import policy

from blazar.policies import base

PREFIX = 'blazar:oshosts:%s'

_ACTIONS = (
    ('get', 'GET', '/v1/os-hosts/{host_id}', 'Show or list hosts.'),
    ('post', 'POST', '/v1/os-hosts', 'Enroll a host.'),
    ('put', 'PUT', '/v1/os-hosts/{host_id}', 'Update a host.'),
    ('delete', 'DELETE', '/v1/os-hosts/{host_id}', 'Remove a host.'),
    ('get_allocations', 'GET', '/v1/os-hosts/allocations',
     'Show which reservations hold which hosts.'),
    ('get_resource_properties', 'GET', '/v1/os-hosts/properties',
     'List host properties.'),
    ('update_resource_properties', 'PATCH',
     '/v1/os-hosts/properties/{property_name}',
     'Change a host property.'),
)

rules = [policy.DocumentedRuleDefault(
    name=PREFIX % action, check_str=base.RULE_ADMIN, description=description,
    operations=[{'path': path, 'method': method}], scope_types=['project'])
    for action, method, path, description in _ACTIONS]


def list_rules():
    return rules

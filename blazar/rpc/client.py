"""The API's handle on the manager: one method per remote call."""

import oslo_messaging as messaging

from blazar import rpc


class ManagerClient:
    """Version 1.0 of the manager RPC API."""

    def __init__(self, conf, transport):
        self._client = messaging.get_rpc_client(
            transport, rpc.manager_target(conf),
            serializer=rpc.ContextSerializer())

    def _call(self, context, method, **kwargs):
        return self._client.prepare(version='1.0').call(context, method,
                                                        **kwargs)

    def list_leases(self, context):
        """Leases visible to the caller (all of them for admins)."""
        return self._call(context, 'list_leases')

    def get_lease(self, context, lease_id):
        return self._call(context, 'get_lease', lease_id=lease_id)

    def create_lease(self, context, values):
        """``values`` validated by the API, dates in wire format."""
        return self._call(context, 'create_lease', values=values)

    def update_lease(self, context, lease_id, values):
        return self._call(context, 'update_lease', lease_id=lease_id,
                          values=values)

    def delete_lease(self, context, lease_id):
        return self._call(context, 'delete_lease', lease_id=lease_id)

    def call_plugin(self, context, resource_type, method, **kwargs):
        """A plugin's own RPC method (e.g. host enrollment)."""
        return self._call(context, 'call_plugin',
                          resource_type=resource_type, method=method,
                          arguments=kwargs)

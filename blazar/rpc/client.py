"""The API's handle on the manager: one method per remote call."""

import oslo_messaging as messaging

from blazar import rpc

HOSTS = 'physical:host'


class ManagerClient:
    """Version 1.1 of the manager RPC API."""

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

    def events_changed(self, context, earliest):
        """Tell every manager to re-read the event schedule (a lease was
        created or moved; none of its events comes before ``earliest``,
        in wire format). A cast to all of them: nobody waits, and
        managers that miss it still re-read within a bounded sleep, so a
        broker that is away is not waited for."""
        self._client.prepare(version='1.1', fanout=True, retry=0).cast(
            context, 'events_changed', earliest=earliest)

    def call_plugin(self, context, resource_type, method, **kwargs):
        """A plugin's own RPC method (e.g. host enrollment)."""
        # oslo.messaging's call() takes "method" itself.
        return self._call(context, 'call_plugin',
                          resource_type=resource_type, plugin_method=method,
                          arguments=kwargs)

    # --- physical:host plugin ------------------------------------------------

    def _hosts(self, context, method, **kwargs):
        return self.call_plugin(context, HOSTS, method, **kwargs)

    def list_hosts(self, context):
        """Every enrolled host, extra capabilities flattened in."""
        return self._hosts(context, 'list_hosts')

    def get_host(self, context, host_id):
        return self._hosts(context, 'get_host', host_id=host_id)

    def create_host(self, context, name, values):
        """Enroll host ``name``; ``values`` holds the request's other
        fields (host fields for the static inventory, extra
        capabilities), already validated."""
        return self._hosts(context, 'create_host', name=name, values=values)

    def update_host(self, context, host_id, values):
        """Set extra capabilities (name -> text) of a host."""
        return self._hosts(context, 'update_host', host_id=host_id,
                           values=values)

    def delete_host(self, context, host_id):
        return self._hosts(context, 'delete_host', host_id=host_id)

    def list_host_allocations(self, context, lease_id=None,
                              reservation_id=None):
        """Every host with the reservations holding it; without filters,
        only leases that have not ended."""
        return self._hosts(context, 'list_allocations', lease_id=lease_id,
                           reservation_id=reservation_id)

    def get_host_allocation(self, context, host_id, lease_id=None,
                            reservation_id=None):
        return self._hosts(context, 'get_allocation', host_id=host_id,
                           lease_id=lease_id, reservation_id=reservation_id)

    def list_host_properties(self, context, detail=False, all_=False):
        """Extra capability names; ``detail`` adds privacy and values,
        ``all_`` includes private ones for admins."""
        return self._hosts(context, 'list_properties', detail=detail,
                           all_=all_)

    def update_host_property(self, context, property_name, private):
        return self._hosts(context, 'update_property', name=property_name,
                           private=private)

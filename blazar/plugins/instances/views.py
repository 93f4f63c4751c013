"""Instance reservations as the v1 API shows them in leases."""


def reservation_details(row):
    # The flavor servers boot with is named by the reservation id, known
    # (to the user) before it exists in Nova.
    return {'vcpus': row.vcpus, 'memory_mb': row.memory_mb,
            'disk_gb': row.disk_gb, 'amount': row.amount,
            'affinity': row.affinity,
            'resource_properties': row.resource_properties or '',
            'flavor_id': row.reservation_id,
            'aggregate_id': row.aggregate_id,
            'server_group_id': row.server_group_id,
            'server_id': row.server_id}

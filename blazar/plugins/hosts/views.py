"""Hosts, allocations and properties as the v1 API shows them."""

from blazar import dates

# Host fields in responses; extra capabilities are added beside them.
HOST_FIELDS = ('id', 'hypervisor_id', 'hypervisor_hostname', 'service_name',
               'vcpus', 'memory_mb', 'local_gb', 'cpu_info',
               'hypervisor_type', 'hypervisor_version', 'availability_zone',
               'status', 'trust_id', 'reservable', 'created_at',
               'updated_at')


def host(row, capabilities):
    view = {name: getattr(row, name) for name in HOST_FIELDS}
    # Clients tell host ids from names by their digits.
    view['id'] = str(row.id)
    view['created_at'] = dates.to_timestamp(row.created_at)
    view['updated_at'] = dates.to_timestamp(row.updated_at)
    view.update(capabilities)
    return view


def allocation(host_id, reservations):
    return {'resource_id': str(host_id),
            'reservations': [allocated_reservation(*reservation)
                             for reservation in reservations]}


def allocated_reservation(reservation_id, lease_id, start, end, slots):
    """Upstream's entry; an instance reservation is listed once per host
    with ``slots`` (upstream repeats it once per slot), a whole-host
    reservation keeps upstream's exact shape."""
    entry = {'id': reservation_id, 'lease_id': lease_id,
             'start_date': dates.to_wire(start),
             'end_date': dates.to_wire(end)}
    if slots:
        entry['slots'] = slots
    return entry


def resource_property(prop):
    return {'id': prop.id, 'resource_type': prop.resource_type,
            'property_name': prop.property_name, 'private': prop.private,
            'created_at': dates.to_timestamp(prop.created_at),
            'updated_at': dates.to_timestamp(prop.updated_at)}


def reservation_details(row):
    count_min, count_max = (int(n) for n in row.count_range.split('-'))
    return {'hypervisor_properties': row.hypervisor_properties or '',
            'resource_properties': row.resource_properties or '',
            'before_end': row.before_end or '',
            'min': count_min, 'max': count_max}

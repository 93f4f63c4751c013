"""Persistence of leases, reservations and events (the manager's side)."""

"""The REST API process (v1, wire-compatible with existing clients)."""

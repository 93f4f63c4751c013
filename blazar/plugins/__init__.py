"""Resource plugins: what can be reserved, and how."""

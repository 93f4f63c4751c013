"""The virtual:instance plugin: capacity for servers of a given size."""

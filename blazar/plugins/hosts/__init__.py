"""The physical:host plugin: whole compute hosts reserved for a window."""

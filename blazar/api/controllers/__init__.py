"""The URL tree of the API."""

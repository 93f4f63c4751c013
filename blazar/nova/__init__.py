"""Code that Blazar ships to run inside Nova's own processes.

Modules below this package are loaded by Nova (the scheduler filter is named
in nova.conf), so they may import Nova, keystoneauth and the standard library,
and never the rest of Blazar.
"""

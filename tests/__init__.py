import blazar.cmd  # noqa: F401  (threading backend, no eventlet)

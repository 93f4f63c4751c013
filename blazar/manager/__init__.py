"""The manager process: owns the database, the plugins and the events."""

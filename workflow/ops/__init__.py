"""Running the office in production: health checks, backup and restore."""

"""/api routes of the platform: health and the audit log."""

"""/api routes of the ai domain: the dry-run screenshots of AI draft tests."""

"""Platform: what every domain builds on: the permission table and `authorize()`, the audit
log, artifact storage (local folder or S3), outgoing mail, encryption of secrets at rest, ids
(UUIDv7), host allowlists for tests, health checks and database migrations.

May call: nothing in the other domains (it is the bottom layer)."""

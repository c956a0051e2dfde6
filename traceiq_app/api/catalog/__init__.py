"""/api/v1 routes of the catalog domain: projects, suites, tests and versions, environments, imports,
tests as code (`tree`)."""

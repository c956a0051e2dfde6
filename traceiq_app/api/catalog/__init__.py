"""HTTP routes of the catalog domain: projects and their settings, tests as code (`tree`)."""

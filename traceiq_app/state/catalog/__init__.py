"""Reflex states of the catalog pages: projects, suites, the test editor, environments, imports."""

"""Catalog pages: projects, the project home (suites and tests), the editor, environments, import."""

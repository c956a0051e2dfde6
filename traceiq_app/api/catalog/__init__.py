"""HTTP routes of the catalog domain (projects and their settings)."""

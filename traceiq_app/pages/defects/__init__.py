"""Defect pages: list, new, detail; the custom fields page."""

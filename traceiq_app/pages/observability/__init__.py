"""Observability pages: /settings/system."""

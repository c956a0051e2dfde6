"""Shared UI pieces (layout shell, navbar, user menu)."""

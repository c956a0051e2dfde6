"""Catalog routes: tests as code (`tree`)."""

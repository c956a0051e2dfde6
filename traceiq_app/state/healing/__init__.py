"""Reflex states of the healing pages."""

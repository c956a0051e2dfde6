"""Reflex states of the notifications pages."""

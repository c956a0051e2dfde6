"""Healing pages."""

"""Notifications pages: channels, rules and the delivery log of a project."""

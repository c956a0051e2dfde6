"""Reflex states of the observability pages: the System page."""

"""Reflex states of the runs pages: the run dialog, the runs list, the live run page."""

"""Runs pages: the runs list of a project and the live run page."""

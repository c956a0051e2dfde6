"""Reflex states of the ai domain: the dry run of an AI draft (editor), failure explanations (run page)."""

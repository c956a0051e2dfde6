"""Reflex states of the accounts pages: who is signed in, sign-in/sign-up, settings, members."""

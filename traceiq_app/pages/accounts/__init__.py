"""Accounts pages: sign-in, sign-up, password, settings (tokens, members, audit), project members."""

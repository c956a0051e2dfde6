"""/api routes of the accounts domain: sign-in, sessions, OIDC, members, invitations, tokens."""

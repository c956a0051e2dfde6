"""Accounts: users and organizations, password sign-in and resets, web sessions, API tokens,
OIDC single sign-on, two-factor sign-in (`two_factor`), e-mail verification (`verification`),
organization members and invitations, an organization's security settings (`org_security`),
project roles, signed links, and rate limits against brute force.

May call: platform (audit, mail, permissions, ids). Called by every other domain only for
"who is this user / which organizations are theirs" (`users.memberships`)."""

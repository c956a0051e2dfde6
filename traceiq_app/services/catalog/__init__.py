"""Catalog: what a project contains and how it is configured: projects, suites (folders), test
cases with their versions, environments (variables and encrypted secrets), target allowlists, imports of Recorder /
codegen / native files, and the resolution of effective execution settings.

May call: platform, and accounts (`users.memberships`, to list a user's projects). Never calls runs."""

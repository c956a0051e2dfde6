"""UI pieces of the ai domain (draft dry-run screenshots, the "Explain this failure" button)."""

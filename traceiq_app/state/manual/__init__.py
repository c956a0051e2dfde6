"""States of the manual-testing pages (manual runs, the manual test editor)."""

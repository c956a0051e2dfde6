"""Pages of manual testing: manual runs and the manual test editor."""

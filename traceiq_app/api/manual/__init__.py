"""Routes of manual testing: attachments of manual tests and manual step results, and the
/api/v1 manual runs (v1_manual_runs.py)."""

"""/api/v1 defect routes."""

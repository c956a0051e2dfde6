"""/api/v1 analytics: health, clusters, trends, quarantine, run comparison, reports."""

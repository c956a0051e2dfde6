"""Analytics pages: dashboard, test history, cluster, run comparison."""

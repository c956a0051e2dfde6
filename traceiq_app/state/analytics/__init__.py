"""Analytics states: the project dashboard, test history, failure clusters, run comparison."""

"""/api routes of the runs domain: start, read, follow, cancel runs; artifacts; the trace viewer."""

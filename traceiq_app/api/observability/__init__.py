"""/metrics and the system report: what operators see of a running installation."""

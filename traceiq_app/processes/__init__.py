"""Long-running processes: the web lifespan (`web_lifespan`), the embedded supervisor of
redis-server and workers (`supervisor`), and the RQ worker itself (`worker`)."""

"""Redis connections. Redis is transport (queues, live streams); our tables hold the truth."""

from __future__ import annotations

from functools import lru_cache

import redis

from traceiq_app.settings import get_settings

# The test queue first: a worker takes tests before notifications (a slow receiver never delays a
# run). Notifications have their own queue so they never wait behind a long queue of tests either
# when dedicated workers listen to it (`traceiq worker` listens to both).
QUEUE_NAMES = ("traceiq", "traceiq-notify")
NOTIFY_QUEUE = "traceiq-notify"


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    # Short timeouts: a dead Redis must turn into a clear error (and a 503), not a hung request.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)


def get_redis() -> redis.Redis:
    return _client_for(get_settings().redis_url_effective)

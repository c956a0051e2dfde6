"""Identifier helpers: time-sortable UUIDv7 (RFC 9562), generated in Python.

Python gets `uuid.uuid7()` only in 3.14; this is the same layout:

    48 bits unix time in ms | 4 bits version (7) | 12 bits counter | 2 bits variant | 62 random bits

The 12-bit field is a per-process counter (RFC 9562 section 6.2, method 1), seeded randomly each
new millisecond, so ids made by one process are strictly increasing even within one millisecond
and when the wall clock steps back. Ids from different processes sort by millisecond and are
kept apart by the 62 random bits.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime

_lock = threading.Lock()
_last_ms = -1
_counter = 0

_COUNTER_MAX = 0xFFF


def uuid7() -> uuid.UUID:
    """A new UUIDv7; later calls in the same process always return larger ids."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            # Start low in the counter space so many ids fit in the same millisecond.
            _counter = int.from_bytes(os.urandom(2), "big") & 0x1FF
            _last_ms = ms
        else:
            # Same millisecond, or the clock went back: stay on the last timestamp and count.
            _counter += 1
            if _counter > _COUNTER_MAX:
                _last_ms += 1
                _counter = 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def uuid7_datetime(value: uuid.UUID) -> datetime:
    """The creation time (ms precision, UTC) embedded in a UUIDv7."""
    if value.version != 7:
        raise ValueError(f"not a UUIDv7: {value}")
    return datetime.fromtimestamp((value.int >> 80) / 1000, tz=UTC)

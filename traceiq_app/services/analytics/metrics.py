"""The health metrics of one test, from its results oldest first (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence

PASSING = ("passed", "flaky")  # a flaky result passed (on retry)
FAILING = ("failed", "error")
COUNTED = PASSING + FAILING  # skipped / cancelled results are not outcomes
REGRESSION_RATIO = 1.3
REGRESSION_RECENT = 10
REGRESSION_BEFORE = 30
REGRESSION_MIN = 5


def outcome(status: str) -> str:
    """'pass' or 'fail' for the flip rate (a test flaky on retry passed)."""
    return "pass" if status in PASSING else "fail"


def flip_rate(statuses: Sequence[str]) -> float:
    """Status changes between consecutive results / (n - 1); 0 with fewer than 2 results."""
    seq = [outcome(s) for s in statuses if s in COUNTED]
    if len(seq) < 2:
        return 0.0
    flips = sum(1 for a, b in zip(seq, seq[1:], strict=False) if a != b)
    return flips / (len(seq) - 1)


def pass_rate(statuses: Sequence[str]) -> float:
    seq = [s for s in statuses if s in COUNTED]
    return sum(1 for s in seq if s in PASSING) / len(seq) if seq else 0.0


def flaky_on_retry_rate(statuses: Sequence[str]) -> float:
    """Share of results that failed and then passed on a retry in the same run."""
    seq = [s for s in statuses if s in COUNTED]
    return sum(1 for s in seq if s == "flaky") / len(seq) if seq else 0.0


def health(pass_rate_: float, flip_rate_: float) -> float:
    return pass_rate_ * (1.0 - flip_rate_)


def percentile(values: Sequence[int | float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    pos = (len(data) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(data[lo] + (data[hi] - data[lo]) * (pos - lo))


def slowing_down(durations: Sequence[int | None]) -> bool:
    """Durations oldest first: the median of the last 10 is above 1.3x the median of the 30
    before, with at least 5 results in each."""
    data = [d for d in durations if d is not None]
    recent = data[-REGRESSION_RECENT:]
    before = data[-(REGRESSION_RECENT + REGRESSION_BEFORE):-REGRESSION_RECENT] if len(data) > REGRESSION_RECENT else []
    if len(recent) < REGRESSION_MIN or len(before) < REGRESSION_MIN:
        return False
    m_recent, m_before = percentile(recent, 0.5), percentile(before, 0.5)
    assert m_recent is not None and m_before is not None
    return m_recent > REGRESSION_RATIO * m_before

"""What the outbound HTTP clients (DaData, Yandex embeddings, the LLM providers) share about waiting
before a retry: reading the server's Retry-After, and exponential backoff with jitter."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return None if math.isnan(seconds) else max(0.0, seconds)


def backoff_delay(attempt: int, retry_after: float | None, *, backoff: float, max_retry_after: float) -> float:
    """The server's Retry-After (capped), else `backoff` doubled per attempt with equal jitter (half fixed,
    half random), so retries of many callers spread out but never come back at once."""
    if retry_after is not None:
        return min(retry_after, max_retry_after)
    base: float = backoff * 2.0 ** (attempt - 1)
    return base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not cryptography

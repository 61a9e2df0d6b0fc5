"""How much one client may ask: a token bucket per key, in memory, for one process.

Every request takes a token; a bucket holds at most `per_minute` tokens and refills at
`per_minute` a minute, so a person asking at a human pace never notices, while a script is held
to that rate however it bursts. Buckets that have refilled are forgotten, so the memory a flood
of addresses can take is bounded by `max_keys`.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, *, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, as of)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, else the seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        rate = self.per_minute / 60.0
        tokens, since = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - since) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / rate
        if len(self._buckets) > self.max_keys:
            self._forget(now, rate)
        return wait

    def _forget(self, now: float, rate: float) -> None:
        """Drop full buckets (they say nothing), then, if a flood of keys left too few of those,
        the least recently used (a dict keeps keys in the order they were last used), down to
        half of `max_keys`, so the next sweep is at least that many requests away."""
        for key in [key for key, (tokens, since) in self._buckets.items()
                    if tokens + (now - since) * rate >= self.per_minute]:
            del self._buckets[key]
        excess = len(self._buckets) - self.max_keys // 2
        if len(self._buckets) > self.max_keys * 3 // 4:
            for key in list(self._buckets)[:excess]:
                del self._buckets[key]

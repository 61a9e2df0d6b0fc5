"""The token bucket behind WEB_RATE_LIMIT: its rate, its bursts, and its memory under a flood."""

from __future__ import annotations

from bot.conversation.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_limit_then_one_more_a_refill():
    clock = Clock()
    limiter = RateLimiter(per_minute=6, clock=clock)
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == 10.0  # six a minute: one every ten seconds
    assert limiter.take("b") == 0.0  # another client has its own bucket
    clock.now += 10
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0


def test_a_flood_of_addresses_takes_bounded_memory():
    clock = Clock()
    limiter = RateLimiter(per_minute=5, clock=clock, max_keys=1000)
    for n in range(20_000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
        assert len(limiter._buckets) <= 1000


def test_zero_is_no_limit():
    limiter = RateLimiter(per_minute=0)
    assert not limiter.enabled and all(limiter.take("a") == 0.0 for _ in range(1000))

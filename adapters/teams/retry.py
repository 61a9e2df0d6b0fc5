"""Sending to the Bot Framework connector, retrying what is worth retrying.

botbuilder retries nothing. Teams throttles with 429 and its gateways fail now and then with 412,
502 and 504; those are retried with exponential backoff and full jitter. 413 (too large) and other
errors are not: sending the same thing again would fail the same way.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({412, 429, 502, 504})
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def delay(self, *, attempt: int, rng: Callable[[], float],
              retry_after: float | None = None) -> float:
        """Full jitter: a random wait up to base * 2**attempt, but at least what Retry-After asks."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** attempt)
        wait = rng() * ceiling
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a failed connector call (msrest's HttpOperationError), if it has one."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def retry_after(error: BaseException) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        value = float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


async def with_retries(
    call: Callable[[], Awaitable],
    *,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
    rng: Callable[[], float] = random.random,
    what: str = "send",
):
    for attempt in range(policy.attempts):
        try:
            return await call()
        except Exception as error:
            status = status_of(error)
            if status not in RETRIED_STATUSES or attempt == policy.attempts - 1:
                raise
            wait = policy.delay(attempt=attempt, rng=rng, retry_after=retry_after(error))
            log.warning("teams: %s got HTTP %s, retry %d of %d in %.2fs", what, status,
                        attempt + 1, policy.attempts - 1, wait)
            await sleep(wait)
    raise AssertionError("unreachable")

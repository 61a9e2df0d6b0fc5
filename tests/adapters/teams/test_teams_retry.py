"""The retry policy for connector calls, with injected sleep and randomness."""

from __future__ import annotations

import pytest

from adapters.teams.retry import RETRIED_STATUSES, RetryPolicy, status_of, with_retries


class Response:
    def __init__(self, status_code: int, headers: dict | None = None) -> None:
        self.status_code = status_code
        self.headers = headers or {}


class HttpError(Exception):
    def __init__(self, status: int, headers: dict | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.response = Response(status, headers)


def failing(*statuses: int, headers: dict | None = None):
    calls = []

    async def call():
        calls.append(1)
        if len(calls) <= len(statuses):
            raise HttpError(statuses[len(calls) - 1], headers)
        return "sent"

    return call, calls


DEFAULT = RetryPolicy(attempts=5, base_delay=0.5, max_delay=3.0)


async def run(call, *, rng=lambda: 1.0, policy=DEFAULT):
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    try:
        return await with_retries(call, policy=policy, sleep=sleep, rng=rng), sleeps
    except HttpError as error:
        return error, sleeps


def test_the_retried_statuses():
    assert RETRIED_STATUSES == {429, 412, 502, 504}


async def test_backoff_doubles_up_to_the_cap():
    call, calls = failing(429, 502, 504, 412)
    result, sleeps = await run(call)
    assert result == "sent" and len(calls) == 5
    assert sleeps == [0.5, 1.0, 2.0, 3.0]


async def test_jitter_scales_each_wait():
    call, _ = failing(429, 429)
    _, sleeps = await run(call, rng=lambda: 0.25)
    assert sleeps == [0.125, 0.25]


async def test_retry_after_is_honoured_within_reason():
    call, _ = failing(429, headers={"Retry-After": "7"})
    _, sleeps = await run(call, rng=lambda: 0.0)
    assert sleeps == [7.0]
    call, _ = failing(429, headers={"Retry-After": "86400"})
    _, sleeps = await run(call, rng=lambda: 0.0)
    assert sleeps == [30.0]
    call, _ = failing(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    _, sleeps = await run(call, rng=lambda: 1.0)
    assert sleeps == [0.5]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 500, 503])
async def test_other_failures_are_not_retried(status):
    call, calls = failing(status)
    error, sleeps = await run(call)
    assert isinstance(error, HttpError) and status_of(error) == status
    assert len(calls) == 1 and sleeps == []


async def test_gives_up_after_the_last_attempt_with_the_last_error():
    call, calls = failing(429, 429, 502)
    error, sleeps = await run(call, policy=RetryPolicy(attempts=3, base_delay=1, max_delay=10))
    assert status_of(error) == 502 and len(calls) == 3 and sleeps == [1.0, 2.0]


async def test_errors_without_a_status_are_not_retried():
    async def call():
        raise ConnectionError("refused")

    with pytest.raises(ConnectionError):
        await with_retries(call, sleep=None)


class Client:
    def __init__(self, name: str, closed: list[str]) -> None:
        self.name, self.closed = name, closed

    async def __aexit__(self, *details) -> None:
        self.closed.append(self.name)


async def test_client_pool_reuses_and_closes_the_oldest_past_its_limit():
    from adapters.teams.connectors import ClientPool

    closed: list[str] = []
    made: list[str] = []
    pool = ClientPool(limit=2)

    async def make(name):
        made.append(name)
        return Client(name, closed)

    for name in ("a", "b", "a", "c", "a"):
        await pool.get(name, lambda n=name: make(n))
    assert made == ["a", "b", "c"] and closed == ["b"] and len(pool) == 2
    await pool.close()
    assert sorted(closed) == ["a", "b", "c"] and len(pool) == 0


async def test_client_pool_closes_what_a_user_token_client_wraps():
    from adapters.teams.connectors import ClientPool

    closed: list[str] = []

    class UserTokenClient:
        _client = Client("inner", closed)

    pool = ClientPool()
    await pool.get("token", lambda: _ready(UserTokenClient()))
    await pool.get("plain", lambda: _ready(object()))
    await pool.close()
    assert closed == ["inner"]


async def _ready(value):
    return value

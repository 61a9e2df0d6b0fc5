"""Fakes for the reminder tests: a settable clock and a sender that records what it posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.messages import Reply
from bot.reminders.service import Delivery
from bot.storage.subscriptions import Subscription


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingSender:
    """Answers from `script` per channel (then delivered), recording every attempt."""

    script: dict[str, list[Delivery]] = field(default_factory=dict)
    posted: list[tuple[str, str]] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    before: Callable[[str], object] | None = None

    async def send(self, *, subscription: Subscription, reply: Reply) -> Delivery:
        channel = subscription.channel_id
        self.attempts.append(channel)
        if self.before is not None:
            await self.before(channel)
        queue = self.script.get(channel)
        if queue:
            answer = queue.pop(0)
            if answer.outcome != "delivered":
                return answer
        self.posted.append((channel, reply.title or ""))
        return Delivery.delivered()


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.calls.append(round(seconds, 3))
        self.now += seconds

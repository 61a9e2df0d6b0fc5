"""Events the core reports about its own work, for whoever measures it (metrics, logs, tests).

The core stays free of any metrics library: it calls `Core.notify(event)` with one of these
frozen values and each registered `Observer` decides what to count. Reminders report
`ReminderOutcome` the same way, so the boundary that owns the counters never changes shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.messages import ReplyKind


@dataclass(frozen=True, kw_only=True)
class Handled:
    """`Core.handle` produced a reply; `admin` says it came from an admin command."""

    platform: str
    kind: ReplyKind
    principle: int | None
    seconds: float
    admin: bool = False


@dataclass(frozen=True, kw_only=True)
class Reloaded:
    ok: bool
    version: str


@dataclass(frozen=True, kw_only=True)
class ReminderOutcome:
    outcome: Literal["delivered", "failed", "missed"]
    platform: str = ""


Event = Handled | Reloaded | ReminderOutcome


class Observer(Protocol):
    def observe(self, event: Event) -> None:
        """Called inline on the event loop: must be quick and must not raise."""

"""Subscriptions and delivery slots: which channels get the principle of the day, and the record
that posts each one exactly once, however many runners try."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A channel that gets the principle of the day at `at` local time on its posting days."""

    platform: str
    channel_id: str
    at: time
    every_day: bool = False  # else weekdays only
    skip_holidays: bool = False
    created_by: str | None = None
    created_at: datetime | None = None


class SlotStatus(StrEnum):
    CLAIMED = "claimed"  # a runner holds the lease and is posting
    RETRY = "retry"  # the last attempt failed for now; try again at `next_attempt_at`
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: a permanent error, or retries ran past the cut-off
    MISSED = "missed"  # nobody was running between the post time and the cut-off


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One subscription's reminder on one local date: the unit that is posted exactly once."""

    platform: str
    channel_id: str
    day: date
    status: SlotStatus
    attempts: int = 0
    detail: str = ""
    updated_at: datetime | None = None
    ready_at: datetime | None = None  # claimed: when the lease ends; retry: when it is due

    @property
    def final(self) -> bool:
        return self.status in (SlotStatus.DELIVERED, SlotStatus.FAILED, SlotStatus.MISSED)

    def claimable(self, *, now: datetime) -> bool:
        return not self.final and self.ready_at is not None and self.ready_at <= now


class Subscriptions(Protocol):
    async def save_subscription(self, *, subscription: Subscription) -> None:
        """Add a channel's subscription, or replace the one it has."""

    async def delete_subscription(self, *, platform: str, channel_id: str) -> bool:
        """False when the channel had no subscription."""

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription, ordered by platform and channel."""

    async def claim_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                         now: datetime, lease_until: datetime) -> int | None:
        """Take a slot that is new, whose lease expired, or whose retry is due: atomically, so two
        runners never both get it. Returns the attempt number, or None when not claimed."""

    async def finish_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                          status: SlotStatus, now: datetime, detail: str = "",
                          next_attempt_at: datetime | None = None) -> bool:
        """Record the outcome of the claimer's attempt; False when `owner` no longer holds it."""

    async def close_slot(self, *, platform: str, channel_id: str, day: date, now: datetime) -> None:
        """After the cut-off: a slot never tried becomes missed, an unfinished one failed."""

    async def last_slots(self) -> dict[tuple[str, str], Slot]:
        """The most recent slot of each (platform, channel)."""

    async def day_slots(self, *, day: date) -> dict[tuple[str, str], Slot]:
        """The slots of one day, so a pass only tries to claim what it could get."""

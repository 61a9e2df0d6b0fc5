"""A fake `Store` in memory, for tests that need no database; the `store` fixture
(tests/bot/conftest.py) runs the storage tests on it beside SQLite and PostgreSQL, so it behaves
as they do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from bot.storage.audit import AuditEntry
from bot.storage.questions import Feedback, QuestionRecord
from bot.storage.releases import InstanceBeat, Release
from bot.storage.subscriptions import Slot, SlotStatus, Subscription

if TYPE_CHECKING:
    from bot.storage.retention import Cutoffs


class MemoryStore:
    """The store for one process that keeps nothing after it exits."""

    def __init__(self) -> None:
        self._seen: dict[str, datetime] = {}
        self.feedback: list[Feedback] = []
        self._conversations: dict[tuple[str, str], tuple[dict[str, Any], datetime]] = {}
        self._subscriptions: dict[tuple[str, str], Subscription] = {}
        self._slots: dict[tuple[str, str, date], tuple[Slot, str | None, datetime | None,
                                                       datetime | None]] = {}
        self._audit: list[AuditEntry] = []
        self._questions: list[QuestionRecord] = []
        self._releases: list[Release] = []
        self._beats: dict[str, InstanceBeat] = {}

    async def first_delivery(self, *, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = datetime.now(UTC)
        return True

    async def forget_events(self, *, before: datetime) -> int:
        old = [key for key, seen in self._seen.items() if seen < before]
        for key in old:
            del self._seen[key]
        return len(old)

    async def record_feedback(self, *, feedback: Feedback) -> None:
        self.feedback.append(feedback)

    async def save_conversation(
        self, *, platform: str, conversation_id: str, reference: dict[str, Any]
    ) -> None:
        self._conversations[(platform, conversation_id)] = (dict(reference), datetime.now(UTC))

    async def conversation(self, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
        saved = self._conversations.get((platform, conversation_id))
        return saved[0] if saved else None

    async def save_subscription(self, *, subscription: Subscription) -> None:
        self._subscriptions[(subscription.platform, subscription.channel_id)] = subscription

    async def delete_subscription(self, *, platform: str, channel_id: str) -> bool:
        return self._subscriptions.pop((platform, channel_id), None) is not None

    async def subscriptions(self) -> list[Subscription]:
        return [self._subscriptions[key] for key in sorted(self._subscriptions)]

    async def claim_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                         now: datetime, lease_until: datetime) -> int | None:
        key = (platform, channel_id, day)
        current = self._slots.get(key)
        if current is None:
            slot = Slot(platform=platform, channel_id=channel_id, day=day,
                        status=SlotStatus.CLAIMED, attempts=1, updated_at=now)
        else:
            slot, _, lease, next_attempt = current
            expired = slot.status is SlotStatus.CLAIMED and lease is not None and lease < now
            due = (slot.status is SlotStatus.RETRY and next_attempt is not None
                   and next_attempt <= now)
            if not (expired or due):
                return None
            slot = replace(slot, status=SlotStatus.CLAIMED, attempts=slot.attempts + 1,
                           updated_at=now)
        self._slots[key] = (slot, owner, lease_until, None)
        return slot.attempts

    async def finish_slot(self, *, platform: str, channel_id: str, day: date, owner: str,
                          status: SlotStatus, now: datetime, detail: str = "",
                          next_attempt_at: datetime | None = None) -> bool:
        key = (platform, channel_id, day)
        current = self._slots.get(key)
        if current is None or current[1] != owner or current[0].status is not SlotStatus.CLAIMED:
            return False
        slot = replace(current[0], status=status, detail=detail, updated_at=now)
        self._slots[key] = (slot, None, None, next_attempt_at)
        return True

    async def close_slot(self, *, platform: str, channel_id: str, day: date, now: datetime) -> None:
        key = (platform, channel_id, day)
        current = self._slots.get(key)
        if current is None:
            self._slots[key] = (Slot(platform=platform, channel_id=channel_id, day=day,
                                     status=SlotStatus.MISSED, detail="not running in time",
                                     updated_at=now), None, None, None)
            return
        slot, _, lease, _ = current
        if slot.status is SlotStatus.RETRY or (
                slot.status is SlotStatus.CLAIMED and lease is not None and lease < now):
            self._slots[key] = (replace(slot, status=SlotStatus.FAILED, updated_at=now,
                                        detail=slot.detail or "interrupted"), None, None, None)

    async def last_slots(self) -> dict[tuple[str, str], Slot]:
        latest: dict[tuple[str, str], Slot] = {}
        for key in sorted(self._slots):
            platform, channel_id, _ = key
            slot = self._slots[key][0]
            latest[(platform, channel_id)] = slot
        return latest

    async def day_slots(self, *, day: date) -> dict[tuple[str, str], Slot]:
        found: dict[tuple[str, str], Slot] = {}
        for (platform, channel_id, slot_day), (slot, _, lease, retry_at) in self._slots.items():
            if slot_day == day:
                ready = lease if slot.status is SlotStatus.CLAIMED else (
                    retry_at if slot.status is SlotStatus.RETRY else None)
                found[(platform, channel_id)] = replace(slot, ready_at=ready)
        return found

    async def record_audit(self, *, entry: AuditEntry) -> None:
        self._audit.append(entry)

    async def audit(self, *, limit: int) -> list[AuditEntry]:
        return self._audit[::-1][:limit]

    async def record_questions(self, *, records: list[QuestionRecord]) -> None:
        self._questions.extend(records)

    async def questions(self, *, since: datetime, unanswered_only: bool = False,
                        limit: int | None = None) -> list[QuestionRecord]:
        found = [r for r in self._questions if r.at >= since and not (
            unanswered_only and (r.outcome == "answer" or not r.text))]
        return found[-limit:] if limit else found

    async def forget_questions(self, *, before: datetime) -> int:
        old = [i for i, r in enumerate(self._questions) if r.at < before and r.text]
        for i in old:
            self._questions[i] = replace(self._questions[i], text="")
        return len(old)

    async def feedback_since(self, *, since: datetime) -> list[Feedback]:
        return [f for f in self.feedback if f.at is None or f.at >= since]

    async def record_release(self, *, release: Release) -> None:
        self._releases.append(release)

    async def last_release(self, *, ok_only: bool = False) -> Release | None:
        for release in reversed(self._releases):
            if release.ok or not ok_only:
                return release
        return None

    async def heartbeat(self, *, beat: InstanceBeat) -> None:
        self._beats[beat.instance] = beat

    async def instances(self, *, since: datetime) -> list[InstanceBeat]:
        return [self._beats[key] for key in sorted(self._beats) if self._beats[key].seen_at >= since]

    async def forget(self, *, cutoffs: Cutoffs) -> dict[str, int]:
        counts = {"event ids": await self.forget_events(before=cutoffs.events),
                  "question texts": await self.forget_questions(before=cutoffs.question_text)}
        kept = [r for r in self._questions if r.at >= cutoffs.statistics]
        counts["questions"] = len(self._questions) - len(kept)
        self._questions = kept
        blanked = [replace(f, question=None) if f.question is not None and f.at is not None
                   and f.at < cutoffs.question_text else f for f in self.feedback]
        counts["vote questions"] = sum(a != b for a, b in zip(blanked, self.feedback, strict=True))
        self.feedback = [f for f in blanked if f.at is None or f.at >= cutoffs.statistics]
        counts["votes"] = len(blanked) - len(self.feedback)
        audit = [e for e in self._audit if e.at >= cutoffs.audit]
        counts["audit entries"], self._audit = len(self._audit) - len(audit), audit
        latest_ok = next((r for r in reversed(self._releases) if r.ok), None)
        releases = [r for r in self._releases if r.at >= cutoffs.audit or r is latest_ok]
        counts["releases"], self._releases = len(self._releases) - len(releases), releases
        counts["release names"] = sum(1 for r in releases if r.at < cutoffs.audit and r.by)
        self._releases = [replace(r, by="") if r.at < cutoffs.audit else r for r in releases]
        counts["subscribers"] = 0
        for key, subscription in self._subscriptions.items():
            if subscription.created_by is not None and subscription.created_at is not None and (
                    subscription.created_at < cutoffs.audit):
                self._subscriptions[key] = replace(subscription, created_by=None)
                counts["subscribers"] += 1
        old = [conversation for conversation, (_, at) in self._conversations.items()
               if at < cutoffs.conversations and conversation not in self._subscriptions]
        for conversation in old:
            del self._conversations[conversation]
        counts["conversations"] = len(old)
        silent = [instance for instance, beat in self._beats.items() if beat.seen_at < cutoffs.instances]
        for instance in silent:
            del self._beats[instance]
        counts["instances"] = len(silent)
        done = [slot for slot in self._slots if slot[2] < cutoffs.slots]
        for slot in done:
            del self._slots[slot]
        counts["reminder slots"] = len(done)
        return counts

    async def close(self) -> None:
        return None

"""One record of every kind the bot stores, old and recent, and what retention must leave of them.

`seed` writes through the store's own methods, then ages what those date themselves (event ids,
conversation addresses) straight in the table; `check` reads back through the store only.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from bot.storage.audit import AuditEntry
from bot.storage.questions import Feedback, QuestionRecord
from bot.storage.releases import InstanceBeat, Release
from bot.storage.sql.conversations import conversations
from bot.storage.sql.events import processed_events
from bot.storage.sqlstore import SQLStore
from bot.storage.subscriptions import SlotStatus, Subscription

YEARS = timedelta(days=800)  # past every retention
WEEKS = timedelta(days=45)  # past question text (30 days), within the audit log's 90
RECENT = timedelta(hours=1)


async def _age(store: Any, *, event: str | None = None, conversation: str | None = None,
               at: datetime) -> None:
    if isinstance(store, SQLStore):
        async with store.engine.begin() as connection:
            if event:
                await connection.execute(sa.update(processed_events).where(
                    processed_events.c.key == event).values(seen_at=at))
            if conversation:
                await connection.execute(sa.update(conversations).where(
                    conversations.c.conversation_id == conversation).values(updated_at=at))
    else:  # MemoryStore
        if event:
            store._seen[event] = at
        if conversation:
            key = ("teams", conversation)
            store._conversations[key] = (store._conversations[key][0], at)


async def seed(store: Any, *, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    for name, ago in (("years", YEARS), ("recent", RECENT)):
        at = now - ago
        assert await store.first_delivery(key=f"slack:event:{name}")
        await _age(store, event=f"slack:event:{name}", at=at)
        await store.record_audit(entry=AuditEntry(
            at=at, platform="slack", user_id=f"U-{name}", channel_id="C1", command="reload",
            arguments=f"args {name}", outcome="refused"))
        await store.heartbeat(beat=InstanceBeat(instance=f"web-{name}", version="v1", seen_at=at))
        await store.save_conversation(platform="teams", conversation_id=f"19:{name}",
                                      reference={"user": {"id": f"29:{name}"}})
        await _age(store, conversation=f"19:{name}", at=at)
        await store.save_subscription(subscription=Subscription(
            platform="slack", channel_id=f"C-{name}", at=time(9), created_by=f"U-{name}",
            created_at=at))
        day = (at - timedelta(days=1)).date()
        await store.claim_slot(platform="slack", channel_id=f"C-{name}", day=day, owner="o",
                               now=at, lease_until=at + timedelta(minutes=5))
        await store.finish_slot(platform="slack", channel_id=f"C-{name}", day=day, owner="o",
                                status=SlotStatus.DELIVERED, now=at)
    # A subscribed channel keeps its address, however long since the bot last heard there.
    await store.save_conversation(platform="teams", conversation_id="19:subscribed",
                                  reference={"user": {"id": "29:subscribed"}})
    await _age(store, conversation="19:subscribed", at=now - YEARS)
    await store.save_subscription(subscription=Subscription(
        platform="teams", channel_id="19:subscribed", at=time(9), created_at=now - YEARS))
    for name, ago in (("years", YEARS), ("weeks", WEEKS), ("recent", RECENT)):
        at = now - ago
        await store.record_questions(records=[QuestionRecord(
            platform="web", asker="h", text=f"question {name}", outcome="not_found", entry=None,
            principle=None, score=10.0, at=at)])
        await store.record_feedback(feedback=Feedback(
            platform="web", entry="topic-1", helpful=False, question=f"vote {name}", at=at))
    for version, by, ago, ok in (("v-good", "Ann", YEARS, True), ("v-bad", "Bob", YEARS - WEEKS,
                                 False), ("v-later", "Cy", RECENT, False)):
        await store.record_release(release=Release(version=version, by=by, platform="slack",
                                                   at=now - ago, ok=ok))


async def check(store: Any, *, now: datetime | None = None) -> None:
    """What retention leaves: raises AssertionError naming the first record kept too long."""
    now = now or datetime.now(UTC)
    since = now - 2 * YEARS
    assert await store.first_delivery(key="slack:event:years") is True, "event id kept"
    assert await store.first_delivery(key="slack:event:recent") is False, "event id lost"
    assert [e.user_id for e in await store.audit(limit=50)] == ["U-recent"]
    beats = await store.instances(since=since)
    assert [b.instance for b in beats if b.instance.startswith("web-")] == ["web-recent"]
    assert await store.conversation(platform="teams", conversation_id="19:years") is None
    for kept in ("19:recent", "19:subscribed"):
        assert await store.conversation(platform="teams", conversation_id=kept) is not None, kept
    assert {s.channel_id: s.created_by for s in await store.subscriptions()} == {
        "C-years": None, "C-recent": "U-recent", "19:subscribed": None}
    slots = await store.last_slots()
    assert ("slack", "C-years") not in slots and ("slack", "C-recent") in slots, slots
    assert [q.text for q in await store.questions(since=since)] == ["", "question recent"]
    votes = await store.feedback_since(since=since)
    assert sorted(f.question or "" for f in votes) == ["", "vote recent"]
    good = await store.last_release(ok_only=True)
    assert (good.version, good.by) == ("v-good", ""), good
    assert (await store.last_release()).by == "Cy"

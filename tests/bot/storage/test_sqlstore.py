from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage.errors import StoreUnavailable
from bot.storage.questions import Feedback, QuestionRecord
from bot.storage.sqlstore import SQLStore, database_url
from bot.storage.subscriptions import SlotStatus, Subscription
from tests.bot.conftest import sql_stores

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
LEASE = timedelta(minutes=5)
SLOT = {"platform": "slack", "channel_id": "C1", "day": DAY}


def test_database_urls_as_hosting_platforms_write_them(tmp_path: Path) -> None:
    assert database_url(url="postgres://u:p@db:5432/bot", data_dir=tmp_path) == (
        "postgresql+asyncpg://u:p@db:5432/bot")
    assert database_url(url="postgresql://u@db/bot", data_dir=tmp_path) == (
        "postgresql+asyncpg://u@db/bot")
    assert database_url(url="postgres://u:p@db.example:5432/bot?sslmode=require", data_dir=tmp_path) == (
        "postgresql+asyncpg://u:p@db.example:5432/bot?ssl=require")
    assert database_url(url="sqlite:////var/bot.db", data_dir=tmp_path) == (
        "sqlite+aiosqlite:////var/bot.db")
    assert database_url(url=None, data_dir=tmp_path / "data") == (
        f"sqlite+aiosqlite:///{tmp_path.resolve()}/data/guidance-bot.sqlite3")


async def test_first_start_creates_the_sqlite_file_and_migrates_it(tmp_path: Path) -> None:
    store = SQLStore.from_url(url=None, data_dir=tmp_path / "data")
    try:
        await store.upgrade()
        await store.upgrade()  # a second start finds it up to date
        async with store.engine.connect() as connection:
            version = (await connection.execute(
                sa.text("SELECT version_num FROM alembic_version"))).scalar_one()
        assert version == "0003"
        assert (tmp_path / "data" / "guidance-bot.sqlite3").is_file()
    finally:
        await store.close()



async def test_a_libpq_sslmode_in_database_url_connects(tmp_path: Path) -> None:
    """Azure's portal and Heroku write `?sslmode=...`, which asyncpg itself refuses."""
    import os

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    store = SQLStore.from_url(url=url + ("&" if "?" in url else "?") + "sslmode=disable", data_dir=tmp_path)
    try:
        async with store.engine.connect() as connection:
            assert (await connection.execute(sa.text("SELECT 1"))).scalar_one() == 1
    finally:
        await store.close()


async def test_the_sqlite_store_works_without_asyncpg(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncpg is the `postgres` extra: a plain install must still migrate and use SQLite."""
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # importing it now fails, as if not installed
    store = SQLStore.from_url(url=None, data_dir=tmp_path / "data")
    try:
        await store.upgrade()
        assert await store.first_delivery(key="slack:Ev1") is True
        assert await store.first_delivery(key="slack:Ev1") is False
    finally:
        await store.close()

async def test_an_event_is_answered_once(store) -> None:
    assert await store.first_delivery(key="slack:Ev1") is True
    assert await store.first_delivery(key="slack:Ev1") is False
    assert await store.first_delivery(key="slack:Ev2") is True


async def test_old_event_ids_are_forgotten(store) -> None:
    await store.first_delivery(key="old")
    cut = datetime.now(UTC) + timedelta(seconds=1)
    assert await store.forget_events(before=cut - timedelta(days=1)) == 0
    assert await store.forget_events(before=cut) == 1
    assert await store.first_delivery(key="old") is True


async def test_concurrent_retries_on_two_instances_answer_once(sql_kind: str, tmp_path: Path) -> None:
    async with sql_stores(sql_kind, tmp_path, count=2) as (one, two):
        results = await asyncio.gather(*(s.first_delivery(key=f"Ev{i % 5}")
                                         for i in range(40) for s in (one, two)))
        assert sum(results) == 5


async def test_claims_made_together_go_to_the_first_caller_of_each_key(sql_kind: str,
                                                                        tmp_path: Path) -> None:
    async with sql_stores(sql_kind, tmp_path) as (store,):
        keys = [f"Ev{i % 50}" for i in range(200)]
        results = await asyncio.gather(*(store.first_delivery(key=key) for key in keys))
        assert results == [True] * 50 + [False] * 150
        assert await store.first_delivery(key="Ev0") is False
        assert await store.first_delivery(key="Ev50") is True


async def test_a_failed_claim_write_fails_every_caller_waiting_on_it(tmp_path: Path) -> None:
    store = SQLStore.from_url(url=None, data_dir=tmp_path)  # not migrated: no table to write
    try:
        results = await asyncio.gather(*(store.first_delivery(key=f"Ev{i}") for i in range(10)),
                                       return_exceptions=True)
        assert all(isinstance(result, StoreUnavailable)
                   and "no such table: processed_events" in str(result.__cause__)
                   for result in results)
        await store.upgrade()
        assert await store.first_delivery(key="Ev1") is True
    finally:
        await store.close()


async def test_a_closed_sqlite_store_refuses_claims(tmp_path: Path) -> None:
    store = SQLStore.from_url(url=None, data_dir=tmp_path)
    await store.upgrade()
    assert await store.first_delivery(key="Ev1") is True
    await store.close()
    with pytest.raises(StoreUnavailable) as refused:
        await store.first_delivery(key="Ev2")
    assert "closed" in str(refused.value.__cause__)


async def test_writes_cancelled_midway_leave_the_database_writable(tmp_path: Path,
                                                                   monkeypatch) -> None:
    """Background work is cancelled at shutdown, at any point of a write; the final writes after
    it (the question log's last batch) must not then find SQLite still locked by it."""
    import random

    import bot.storage.sql.base

    monkeypatch.setattr(bot.storage.sql.base, "SQLITE_PRAGMAS", ("PRAGMA journal_mode=WAL",
                                                         "PRAGMA busy_timeout=500"))
    store = SQLStore.from_url(url=None, data_dir=tmp_path, connect_args={"timeout": 0.5})
    rng = random.Random(7)
    record = QuestionRecord(platform="web", asker="a", text="q", outcome="answer", entry="e",
                            principle=1, score=50.0, at=NOW)
    try:
        await store.upgrade()
        for _ in range(150):
            write = asyncio.create_task(store.record_questions(records=[record] * rng.randint(1, 300)))
            await asyncio.sleep(rng.random() * 0.004)
            write.cancel()
            await asyncio.gather(write, return_exceptions=True)
            await store.record_questions(records=[record])  # "database is locked" if one was left open
    finally:
        await store.close()


async def test_conversation_references_are_kept_and_replaced(store) -> None:
    assert await store.conversation(platform="teams", conversation_id="19:a") is None
    await store.save_conversation(platform="teams", conversation_id="19:a",
                                  reference={"serviceUrl": "https://one", "n": 1})
    await store.save_conversation(platform="teams", conversation_id="19:a",
                                  reference={"serviceUrl": "https://two", "n": 2})
    assert await store.conversation(platform="teams", conversation_id="19:a") == {
        "serviceUrl": "https://two", "n": 2}


async def test_feedback_is_recorded(sql_kind: str, tmp_path: Path) -> None:
    async with sql_stores(sql_kind, tmp_path) as (store,):
        await store.record_feedback(feedback=Feedback(platform="web", entry="e1", helpful=True))
        await store.record_feedback(feedback=Feedback(platform="slack", entry=None, helpful=False,
                                                      question="q", at=NOW))
        assert await store.feedback_count() == 2


async def test_a_channel_has_one_subscription(store) -> None:
    await store.save_subscription(subscription=Subscription(
        platform="slack", channel_id="C1", at=time(9), created_at=NOW))
    await store.save_subscription(subscription=Subscription(
        platform="slack", channel_id="C1", at=time(8, 45), every_day=True, skip_holidays=True,
        created_by="U1", created_at=NOW))
    await store.save_subscription(subscription=Subscription(
        platform="teams", channel_id="19:x", at=time(10), created_at=NOW))
    listed = await store.subscriptions()
    assert [(s.platform, s.channel_id, s.at, s.every_day, s.skip_holidays) for s in listed] == [
        ("slack", "C1", time(8, 45), True, True), ("teams", "19:x", time(10), False, False)]
    assert listed[0].created_at == NOW
    assert await store.delete_subscription(platform="slack", channel_id="C1") is True
    assert await store.delete_subscription(platform="slack", channel_id="C1") is False
    assert [s.channel_id for s in await store.subscriptions()] == ["19:x"]


async def test_a_slot_is_claimed_by_one_owner_until_its_lease_expires(store) -> None:
    assert await store.claim_slot(**SLOT, owner="a", now=NOW, lease_until=NOW + LEASE) == 1
    assert await store.claim_slot(**SLOT, owner="b", now=NOW, lease_until=NOW + LEASE) is None
    later = NOW + LEASE + timedelta(seconds=1)
    assert await store.claim_slot(**SLOT, owner="b", now=later, lease_until=later + LEASE) == 2
    assert await store.finish_slot(**SLOT, owner="a", status=SlotStatus.DELIVERED, now=later) is False
    assert await store.finish_slot(**SLOT, owner="b", status=SlotStatus.DELIVERED, now=later) is True
    much_later = later + timedelta(hours=1)
    assert await store.claim_slot(**SLOT, owner="c", now=much_later,
                                  lease_until=much_later + LEASE) is None
    slot = (await store.last_slots())[("slack", "C1")]
    assert (slot.status, slot.attempts, slot.day) == (SlotStatus.DELIVERED, 2, DAY)


async def test_a_retry_is_claimable_only_once_it_is_due(store) -> None:
    await store.claim_slot(**SLOT, owner="a", now=NOW, lease_until=NOW + LEASE)
    retry_at = NOW + timedelta(minutes=2)
    await store.finish_slot(**SLOT, owner="a", status=SlotStatus.RETRY, now=NOW,
                            detail="ratelimited", next_attempt_at=retry_at)
    assert await store.claim_slot(**SLOT, owner="b", now=retry_at - timedelta(seconds=1),
                                  lease_until=retry_at + LEASE) is None
    assert await store.claim_slot(**SLOT, owner="b", now=retry_at, lease_until=retry_at + LEASE) == 2


async def test_closing_a_slot_records_missed_or_failed(store) -> None:
    await store.close_slot(platform="slack", channel_id="C0", day=DAY, now=NOW)
    await store.claim_slot(**SLOT, owner="a", now=NOW, lease_until=NOW + LEASE)
    await store.finish_slot(**SLOT, owner="a", status=SlotStatus.RETRY, now=NOW,
                            detail="ratelimited", next_attempt_at=NOW + LEASE)
    held = {"platform": "slack", "channel_id": "C2", "day": DAY}
    await store.claim_slot(**held, owner="a", now=NOW, lease_until=NOW + LEASE)
    done = {"platform": "slack", "channel_id": "C3", "day": DAY}
    await store.claim_slot(**done, owner="a", now=NOW, lease_until=NOW + LEASE)
    await store.finish_slot(**done, owner="a", status=SlotStatus.DELIVERED, now=NOW)
    for channel in ("C0", "C1", "C2", "C3"):
        await store.close_slot(platform="slack", channel_id=channel, day=DAY, now=NOW + LEASE / 2)
    await store.close_slot(platform="slack", channel_id="C2", day=DAY, now=NOW + LEASE * 2)
    slots = await store.last_slots()
    assert {channel: (slot.status, slot.detail) for (_, channel), slot in slots.items()} == {
        "C0": (SlotStatus.MISSED, "not running in time"),
        "C1": (SlotStatus.FAILED, "ratelimited"),
        "C2": (SlotStatus.FAILED, "interrupted"),
        "C3": (SlotStatus.DELIVERED, ""),
    }


async def test_last_slots_are_the_latest_day_of_each_channel(store) -> None:
    for day in (DAY, DAY + timedelta(days=1)):
        key = {"platform": "slack", "channel_id": "C1", "day": day}
        await store.claim_slot(**key, owner="a", now=NOW, lease_until=NOW + LEASE)
        await store.finish_slot(**key, owner="a", now=NOW, status=(
            SlotStatus.FAILED if day == DAY else SlotStatus.DELIVERED), detail="x")
    slot = (await store.last_slots())[("slack", "C1")]
    assert (slot.day, slot.status) == (DAY + timedelta(days=1), SlotStatus.DELIVERED)


async def test_day_slots_say_which_could_be_claimed_when(store) -> None:
    await store.claim_slot(**SLOT, owner="a", now=NOW, lease_until=NOW + LEASE)
    retry = {"platform": "slack", "channel_id": "C2", "day": DAY}
    await store.claim_slot(**retry, owner="a", now=NOW, lease_until=NOW + LEASE)
    await store.finish_slot(**retry, owner="a", status=SlotStatus.RETRY, now=NOW,
                            next_attempt_at=NOW + timedelta(minutes=1))
    await store.close_slot(platform="slack", channel_id="C3", day=DAY, now=NOW)
    await store.close_slot(platform="slack", channel_id="C4", day=DAY + timedelta(days=1), now=NOW)
    slots = await store.day_slots(day=DAY)
    assert sorted(slots) == [("slack", "C1"), ("slack", "C2"), ("slack", "C3")]
    assert slots[("slack", "C1")].ready_at == NOW + LEASE
    assert slots[("slack", "C2")].ready_at == NOW + timedelta(minutes=1)
    assert [slots[("slack", c)].claimable(now=NOW + timedelta(minutes=2))
            for c in ("C1", "C2", "C3")] == [False, True, False]
    assert slots[("slack", "C3")].final


async def test_the_migrations_build_exactly_the_tables_the_store_uses(
        sql_kind: str, tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.sqlstore import metadata

    def differences(connection: sa.Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with sql_stores(sql_kind, tmp_path) as (store,):
        async with store.engine.connect() as connection:
            assert await connection.run_sync(differences) == []

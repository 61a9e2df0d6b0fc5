"""Slack while the database fails: every event is still acknowledged within Slack's three
seconds, before the store has answered, and still answered."""

from __future__ import annotations

import asyncio

from tests.adapters.slack.harness import Harness, payload, slack_on
from tests.bot.conftest import sql_stores
from tests.storage_faults import full_sqlite, locked, read_only_postgresql


async def asked_and_answered(harness: Harness) -> None:
    response = await harness.event(payload("app_mention"))
    assert response.status == 200
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHANNEL" and "Consult and engage" in call.params["text"]


async def test_a_full_sqlite_disk_still_acknowledges_and_answers(tmp_path, fake_slack, monkeypatch):
    async with full_sqlite(tmp_path, monkeypatch) as store, slack_on(
            store, tmp_path, fake_slack) as harness:
        await asked_and_answered(harness)


async def test_a_postgresql_that_refuses_writes_still_acknowledges_and_answers(tmp_path,
                                                                               fake_slack):
    async with read_only_postgresql() as store, slack_on(store, tmp_path, fake_slack) as harness:
        await asked_and_answered(harness)


async def test_a_stalled_postgresql_is_not_waited_for(tmp_path, fake_slack):
    """Ordering, not timing: the event-id table stays locked until the acknowledgement and the
    answer have both arrived (a 20 s safety net ends the lock if they never do)."""
    async with sql_stores("postgresql", tmp_path) as (store,), slack_on(
            store, tmp_path, fake_slack) as harness:
        async with locked(store):
            request = asyncio.create_task(harness.event(payload("app_mention")))
            done, _ = await asyncio.wait({request}, timeout=20)
            acknowledged_while_locked = request in done
            answered_while_locked = bool(await harness.fake.wait_for("chat.postMessage",
                                                                     timeout=20))
        assert acknowledged_while_locked and answered_while_locked
        assert (await request).status == 200

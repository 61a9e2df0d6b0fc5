"""Teams reminders through botbuilder's real CloudAdapter to a local fake connector over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams import cloud_adapter
from adapters.teams.cards import (
    ANSWER_ACTION,
    ASK_PROMPT,
    CARD_CONTENT_TYPE,
    MAX_ACTIVITY_BYTES,
    encoded_size,
)
from adapters.teams.sender import TeamsSender
from bot.knowledge.loader import load_knowledge
from bot.reminders.service import Outcome
from bot.settings import Settings
from bot.storage.sqlstore import SQLStore
from bot.storage.subscriptions import SlotStatus, Subscription
from tests.adapters.teams_support import FakeConnector, golden, shown_once
from tests.cores import new_core
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

CHANNEL = "19:comms-team-channel@thread.tacv2"
PROJECT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def adapter():
    adapter, authentication = cloud_adapter(settings=Settings())
    yield adapter
    await authentication.close()


@pytest.fixture
def reminder(tmp_path):
    core = new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path / "kb")))
    return core.daily(day=datetime(2026, 3, 2).date())


async def remember_channel(store: MemoryStore | SQLStore, connector: FakeConnector) -> None:
    """What the Teams bot saves for a channel when it hears a mention there."""
    activity = Activity().deserialize(golden("channel_mention", service_url=connector.url))
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference["conversation"]["id"] = CHANNEL
    reference.pop("activityId", None)
    await store.save_conversation(platform="teams", conversation_id=CHANNEL, reference=reference)


def sub(channel: str = CHANNEL) -> Subscription:
    return Subscription(platform="teams", channel_id=channel, at=time(9),
                        created_at=datetime(2026, 1, 1, tzinfo=UTC))


async def test_a_reminder_is_posted_as_a_new_adaptive_card_in_the_channel(connector, adapter,
                                                                           reminder) -> None:
    store = MemoryStore()
    await remember_channel(store, connector)
    sender = TeamsSender(adapter=adapter, store=store, app_id="")
    delivery = await sender.send(subscription=sub(), reply=reminder)
    assert delivery.outcome is Outcome.DELIVERED
    (sent,) = connector.received
    assert sent["conversation"] == CHANNEL and sent["reply_to"] is None
    card = shown_once(sent["activity"])
    assert sent["activity"]["summary"].startswith("Principle of the day")
    (attachment,) = sent["activity"]["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE and attachment["content"] == card
    texts = [block.get("text", "") for block in attachment["content"]["body"]]
    assert reminder.title in texts and reminder.body in texts
    assert any(reminder.tip in text for text in texts)
    assert ASK_PROMPT in texts
    # "Tell me more" is a Universal Action in an ActionSet, answered to the clicker alone
    # (tests/adapters/test_teams_private.py); clients without Action.Execute drop it.
    assert "actions" not in card
    (action,) = card["body"][-1]["actions"]
    assert card["body"][-1]["type"] == "ActionSet"
    assert (action["type"], action["title"], action["verb"], action["fallback"]) == (
        "Action.Execute", "Tell me more", ANSWER_ACTION, "drop")
    assert action["data"] == {"action": ANSWER_ACTION, "entry": reminder.entry}
    assert encoded_size(sent["activity"]) < MAX_ACTIVITY_BYTES


async def test_a_channel_never_heard_from_fails_for_good_and_says_what_to_do(connector, adapter,
                                                                            reminder) -> None:
    sender = TeamsSender(adapter=adapter, store=MemoryStore(), app_id="")
    delivery = await sender.send(subscription=sub("19:unknown@thread.tacv2"), reply=reminder)
    assert delivery.outcome is Outcome.FAILED
    assert delivery.detail.startswith("no_conversation") and "mention" in delivery.detail
    assert connector.attempts == 0


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_throttling_and_gateway_errors_are_retried_by_the_runner(connector, adapter, reminder,
                                                                       status) -> None:
    store = MemoryStore()
    await remember_channel(store, connector)
    connector.failures, connector.retry_after = [status], "7"
    delivery = await TeamsSender(adapter=adapter, store=store, app_id="").send(
        subscription=sub(), reply=reminder)
    assert (delivery.outcome, delivery.retry_after) == (Outcome.RETRY, 7.0)
    assert connector.attempts == 1 and connector.received == []  # the runner retries, not the sender


@pytest.mark.parametrize(("status", "words"), [(403, "removed"), (404, "removed")])
async def test_a_bot_removed_from_the_channel_is_a_permanent_failure(connector, adapter, reminder,
                                                                     status, words) -> None:
    store = MemoryStore()
    await remember_channel(store, connector)
    connector.failures = [status]
    delivery = await TeamsSender(adapter=adapter, store=store, app_id="").send(
        subscription=sub(), reply=reminder)
    assert delivery.outcome is Outcome.FAILED
    assert delivery.detail.startswith(f"forbidden ({status})" if status == 403 else "not_found")
    assert words in delivery.detail and connector.received == []


async def test_run_due_posts_to_teams_from_the_stored_reference(connector, tmp_path) -> None:
    """The cron path: `guidance-bot reminders run-due` in its own process, no web application."""
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    store = SQLStore.from_url(url=database)
    try:
        await store.upgrade()
        await remember_channel(store, connector)
        await store.save_subscription(subscription=sub())
        await store.save_subscription(subscription=sub("19:never-heard@thread.tacv2"))
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SLACK_", "Microsoft", "TEAMS_"))}
        env.update(DATABASE_URL=database, KNOWLEDGE_PATH=str(write_knowledge(tmp_path / "kb")))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli.main", "reminders", "run-due", "--at", "2026-03-02T09:00",
            env=env, cwd=PROJECT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        assert json.loads(out)["delivered"] == 1 and json.loads(out)["failed"] == 1
        (sent,) = connector.received
        assert sent["conversation"] == CHANNEL
        assert sent["activity"]["attachments"][0]["contentType"] == CARD_CONTENT_TYPE
        slots = {s.channel_id: s for s in await store.slots(day=date(2026, 3, 2))}
        assert slots[CHANNEL].status is SlotStatus.DELIVERED
        never = slots["19:never-heard@thread.tacv2"]
        assert never.status is SlotStatus.FAILED and never.detail.startswith("no_conversation")
    finally:
        await store.close()

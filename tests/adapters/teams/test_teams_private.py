""""Tell me more" on a Teams reminder answers only the person who clicks it.

The button is an Action.Execute: Teams sends the click as an `adaptiveCard/action` invoke and shows
the card the bot puts in the invoke's own HTTP response to that person, in place of the reminder,
and to nobody else. Through the real route and botbuilder's CloudAdapter, with Bot Framework
tokens checked as in Teams (and, for the Emulator, without), against a fake connector that would
record anything posted to the conversation for everyone.
"""

from __future__ import annotations

from datetime import date

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams import setup_teams
from adapters.teams.bot import SORRY
from adapters.teams.cards import CARD_CONTENT_TYPE, ONLY_YOU, reminder
from bot.settings import Settings
from tests.adapters.teams_support import FakeConnector, golden, make_core
from tests.memory_store import MemoryStore

EPOCH = date(2026, 1, 1)


@pytest.fixture(params=["teams", "emulator"])
async def teams(request, tmp_path, bot_framework):
    """The Teams route with credentials (every request signed, as Teams sends it) or without
    (the Emulator on this machine); `teams.click(action)` clicks a button as Teams would."""
    connector = FakeConnector()
    connector_server = TestServer(connector.app(), host="127.0.0.1")
    await connector_server.start_server()
    connector_url = str(connector_server.make_url("/"))
    store = MemoryStore()
    core = make_core(tmp_path, store=store)
    app = web.Application()
    signed = request.param == "teams"
    app.cleanup_ctx.extend(setup_teams(
        app, core=core, store=store,
        settings=Settings(**bot_framework.settings()) if signed else Settings(),
        **bot_framework.teams_options() if signed else {}))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    headers = bot_framework.headers(service_url=connector_url) if signed else {}

    async def click(action: dict | None = None, **changes):
        activity = golden("card_execute", service_url=connector_url, **changes)
        if action is not None:
            activity["value"] = {"action": action, "trigger": "manual"}
        response = await client.post("/api/messages", json=activity, headers=headers)
        return response.status, await response.json()

    client.click, client.core, client.store, client.connector = click, core, store, connector
    try:
        yield client
    finally:
        await client.close()
        await connector_server.close()


def button(card: dict, title: str) -> dict:
    """A button as Teams sends it back in the invoke: the action as the card defines it."""
    actions = list(card.get("actions", []))
    for item in card["body"]:
        actions += item.get("actions", [])
    (found,) = [action for action in actions if action["title"] == title]
    return {key: found[key] for key in ("type", "title", "verb", "data")}


def texts(card: dict) -> list[str]:
    return [item["text"] for item in card["body"] if item["type"] == "TextBlock"]


def reminder_card(core) -> dict:
    (activity,) = reminder(core.daily(day=EPOCH))
    return activity["attachments"][0]["content"]


async def test_tell_me_more_answers_the_clicker_in_the_invoke_response_and_posts_nothing(teams):
    daily = teams.core.daily(day=EPOCH)
    status, body = await teams.click(button(reminder_card(teams.core), "Tell me more"))
    assert status == 200
    assert (body["statusCode"], body["type"]) == (200, CARD_CONTENT_TYPE)
    card = body["value"]
    full = teams.core.answer_entry(entry_id=daily.entry)
    assert full.body and full.body in texts(card) and full.title in texts(card)
    assert texts(card)[-1] == ONLY_YOU
    assert [(a["type"], a["title"]) for a in card["actions"]] == [
        ("Action.Execute", "Helpful"), ("Action.Execute", "Not helpful")]
    assert teams.connector.received == [] and teams.connector.attempts == 0


async def test_a_vote_on_the_private_answer_is_recorded_and_stays_private(teams):
    status, body = await teams.click(button(reminder_card(teams.core), "Tell me more"))
    status, body = await teams.click(button(body["value"], "Not helpful"))
    assert (status, body["statusCode"]) == (200, 200)
    (vote,) = teams.store.feedback
    entry = teams.core.daily(day=EPOCH).entry
    assert (vote.platform, vote.entry, vote.helpful) == ("teams", entry, False)
    card = body["value"]
    assert any(text.startswith("Thanks for telling me") for text in texts(card))
    assert "actions" not in card  # voted: no second vote from the same card
    assert teams.connector.received == []


async def test_a_click_delivered_twice_is_answered_twice(teams):
    action = button(reminder_card(teams.core), "Tell me more")
    first = await teams.click(action)
    again = await teams.click(action)
    assert first == again and first[0] == 200
    assert teams.connector.received == []


async def test_an_entry_gone_since_the_reminder_says_so_privately(teams):
    status, body = await teams.click({"type": "Action.Execute", "verb": "answer",
                                      "data": {"action": "answer", "entry": "gone-since"}})
    assert (status, body["statusCode"]) == (200, 200)
    assert "no longer in the knowledge base" in " ".join(texts(body["value"]))
    assert teams.connector.received == []


@pytest.mark.parametrize("value", [
    None, "x", {"action": "x"}, {"trigger": "manual"},
    {"action": {"type": "Action.Submit", "verb": "answer", "data": {"entry": "principle-3"}}},
    {"action": {"type": "Action.Execute", "verb": "explode", "data": {"entry": "principle-3"}}},
    {"action": {"type": "Action.Execute", "verb": "answer", "data": {"entry": 7}}},
    {"action": {"type": "Action.Execute", "verb": "answer", "data": "principle-3"}},
    {"action": {"type": "Action.Execute", "verb": "feedback", "data": {"entry": "principle-3"}}},
])
async def test_a_malformed_click_is_a_400_with_an_error_body_and_posts_nothing(teams, value):
    status, body = await teams.click(value=value)
    assert status == 400
    assert (body["statusCode"], body["type"]) == (400, "application/vnd.microsoft.error")
    assert body["value"]["message"]
    assert teams.connector.received == []
    assert teams.store.feedback == []


async def test_an_error_is_told_to_the_clicker_only(teams, caplog):
    def broken(**_):
        raise RuntimeError("boom")

    teams.core.answer_entry = broken
    status, body = await teams.click(button(reminder_card(teams.core), "Tell me more"))
    assert (status, body["statusCode"], body["value"]["message"]) == (500, 500, SORRY)
    assert teams.connector.received == [] and teams.connector.attempts == 0
    assert "boom" in caplog.text

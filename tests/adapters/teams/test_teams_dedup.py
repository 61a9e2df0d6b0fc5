"""Each Teams activity is answered once, and its conversation remembered, whatever the length of
its conversation id, through the real route and a real SQL store (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import CORE, create_app
from bot.reminders.service import Outcome
from bot.settings import Settings
from tests.adapters.teams.reminding import post_reminder
from tests.adapters.teams_support import golden
from tests.bot.conftest import sql_stores
from tests.kbfactory import write_knowledge


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_messages_in_a_conversation_with_a_very_long_id_are_each_answered_once(
        tmp_path, connector, kind):
    # Teams' own ids reach a few hundred characters (a group chat's id names its members).
    conversation = {"id": "19:" + "m" * 320 + "@thread.v2", "conversationType": "groupChat"}
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), reminders_enabled=False)
    async with sql_stores(kind, tmp_path) as (store,):
        app = create_app(settings=settings, store=store)
        core = app[CORE]
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            for number in (1, 2, 3, 2):  # the last, a redelivery of the second
                response = await client.post("/api/messages", json=golden(
                    "personal_message", service_url=connector.url, conversation=conversation,
                    id=f"170000000{number:04}", text="principles"))
                assert response.status == 201
            delivery = await post_reminder(client.server.app, store=store,
                                           channel=conversation["id"], reply=core.today())
            assert delivery.outcome is Outcome.DELIVERED
    *replies, reminder = connector.received
    assert [sent["activity"]["summary"] for sent in replies] == ["The six principles"] * 3
    assert [sent["reply_to"] for sent in replies] == [
        "1700000000001", "1700000000002", "1700000000003"]
    assert reminder["conversation"] == conversation["id"] and reminder["reply_to"] is None

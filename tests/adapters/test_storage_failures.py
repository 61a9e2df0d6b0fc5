"""Teams, the web chat and /readyz while the database fails: readiness says the bot cannot write,
questions are still answered, and what needs the store says so plainly. (Slack:
tests/adapters/slack/test_storage_failures.py.)"""

from __future__ import annotations

import asyncio

from adapters.teams.bot import SORRY
from tests.adapters.chat_questions import ANSWER_TEXT, ANSWERED
from tests.adapters.teams_support import bot_on, golden
from tests.bot.conftest import sql_stores
from tests.storage_faults import full_sqlite, locked, read_only_postgresql


async def teams(client, name: str, **changes) -> str:
    """Post a golden activity; the text of what the bot sent back."""
    before = len(client.connector.activities)
    activity = golden(name, service_url=client.connector_url, **changes)
    assert (await client.post("/api/messages", json=activity)).status == 201
    sent = client.connector.activities[before:]
    return "\n".join(repr(a.get("attachments")) + a.get("text", "") for a in sent)


async def readiness(client) -> tuple[int, dict]:
    response = await client.get("/readyz")
    return response.status, (await response.json())["checks"]


async def test_a_full_sqlite_disk_is_not_ready_yet_questions_are_answered(tmp_path, monkeypatch):
    async with full_sqlite(tmp_path, monkeypatch) as store, bot_on(store, tmp_path) as client:
        assert await readiness(client) == (503, {"knowledge": "ok", "store": "full"})
        shown = await teams(client, "personal_message", text=ANSWERED)
        assert ANSWER_TEXT in shown and SORRY not in shown
        vote = await teams(client, "card_submit", id="1700000000042")
        assert "couldn't record your feedback" in vote and "storage" in vote
        assert SORRY not in vote
        response = await client.post("/api/chat", json={"text": ANSWERED})
        assert response.status == 200 and ANSWER_TEXT in (await response.json())["text"]
        response = await client.post("/api/feedback", json={"entry": "topic-1", "helpful": True})
        assert response.status == 503
        assert "couldn't record your feedback" in (await response.json())["text"]


async def test_a_postgresql_that_refuses_writes_is_not_ready(tmp_path):
    async with read_only_postgresql() as store, bot_on(store, tmp_path) as client:
        assert await readiness(client) == (503, {"knowledge": "ok", "store": "not writable"})
        shown = await teams(client, "personal_message", text=ANSWERED)
        assert ANSWER_TEXT in shown and SORRY not in shown
        vote = await teams(client, "card_submit", id="1700000000042")
        assert "couldn't record your feedback" in vote and SORRY not in vote
        response = await client.post("/api/feedback", json={"entry": "topic-1", "helpful": True})
        assert response.status == 503


async def test_a_stalled_postgresql_still_lets_teams_answer(tmp_path):
    """Ordering, not timing: the event-id table stays locked until the answer has been sent
    (a 20 s safety net ends the lock if it never is)."""
    async with sql_stores("postgresql", tmp_path) as (store,), bot_on(store, tmp_path) as client:
        assert (await readiness(client))[0] == 200
        async with locked(store):
            request = asyncio.create_task(teams(client, "personal_message", text=ANSWERED))
            done, _ = await asyncio.wait({request}, timeout=20)
            answered_while_locked = request in done
            status, checks = await readiness(client)
        assert answered_while_locked and ANSWER_TEXT in await request
        assert status == 503 and checks["store"] != "ok"


async def test_admin_commands_say_plainly_what_the_store_kept_them_from(tmp_path):
    admin = {"Authorization": "Bearer admin-token"}
    async with read_only_postgresql() as store, bot_on(store, tmp_path, admin_token="admin-token"
                                                        ) as client:
        reply = await (await client.post("/api/chat", json={"text": "reload"},
                                         headers=admin)).json()
        assert reply["text"].startswith("Reloaded") and "other instances were not told" in reply[
            "text"]
    async with sql_stores("postgresql", tmp_path) as (store,), bot_on(
            store, tmp_path, admin_token="admin-token") as client:
        async with locked(store, "audit_log"):  # stalled: `audit` gives up, and says why
            reply = await (await client.post("/api/chat", json={"text": "audit"},
                                             headers=admin)).json()
        assert reply["text"].startswith("Sorry, I couldn't run 'audit' just now: my storage")

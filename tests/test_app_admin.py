"""The question log and the knowledge-base poll as `app.py` wires them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer

import app as application
from bot.settings import Settings
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

TOKEN = "admin-token"


async def test_questions_asked_in_the_web_chat_reach_the_log_and_the_admin_commands(tmp_path):
    path = write_knowledge(tmp_path / "kb")
    store = MemoryStore()
    settings = Settings(knowledge_path=path, admin_token=TOKEN, reminders_enabled=False,
                        instance_id="web-1")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    web_app = application.create_app(settings=settings, store=store)
    core = web_app[application.CORE]
    async with TestClient(TestServer(web_app)) as client:
        for text in ("parking permits at the office", "principles", "parking permit office"):
            assert (await client.post("/api/chat", json={"text": text})).status == 200
        unanswered = await (await client.post("/api/chat", json={"text": "unanswered"},
                                              headers=auth)).json()
        status = await (await client.post("/api/chat", json={"text": "status"}, headers=auth)).json()
        refused = await (await client.post("/api/chat", json={"text": "stats"})).json()
    assert "2× “parking permits at the office” (1 asker(s))" in unanswered["text"]
    assert f"• web-1 (this one): serves {core.knowledge.version}" in status["text"]
    assert refused["kind"] == "refusal"
    logged = await store.questions(since=datetime.now(UTC) - timedelta(hours=1))
    assert [r.outcome for r in logged] == ["not_found", "not_found"]
    assert [(e.command, e.outcome) for e in await store.audit(limit=5)] == [
        ("stats", "refused"), ("status", "ok"), ("unanswered", "ok")]

"""Input that PostgreSQL refuses and SQLite takes (NUL, over-long ids, lone surrogates) is checked
and cleaned once, where it enters, so both databases answer alike; and a row a database still
refuses never takes the good rows of its batch with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import CORE, create_app
from bot.insights.questionlog import QuestionLog
from bot.messages import Message, Reply, ReplyKind
from bot.settings import Settings
from tests.bot.conftest import sql_stores
from tests.kbfactory import write_knowledge

TOKEN = "admin-token"


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot(request, tmp_path):
    path = write_knowledge(tmp_path / "kb")
    async with sql_stores(request.param, tmp_path) as (store,):
        settings = Settings(knowledge_path=path, admin_token=TOKEN, reminders_enabled=False,
                            web_rate_limit=0)
        app = create_app(settings=settings, store=store)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            client.core = app[CORE]
            yield client


@pytest.mark.parametrize("entry", ["x" * 256, "topic-1\x00", "topic\ud800"])
async def test_feedback_for_an_entry_no_database_can_keep_is_a_400_on_both(bot, entry):
    response = await bot.post("/api/feedback", json={"entry": entry, "helpful": True})
    assert response.status == 400
    assert "entry" in (await response.json())["error"]
    assert await bot.core.store.feedback_since(since=datetime.now(UTC) - timedelta(hours=1)) == []


async def test_feedback_on_a_question_with_a_nul_is_kept_without_it(bot):
    response = await bot.post("/api/feedback", json={"entry": "topic-1", "helpful": False,
                                                      "question": "can I\x00 post\ud800?"})
    assert response.status == 200
    (vote,) = await bot.core.store.feedback_since(since=datetime.now(UTC) - timedelta(hours=1))
    assert (vote.entry, vote.helpful, vote.question) == ("topic-1", False, "can I post?")


async def test_a_question_with_a_nul_neither_fails_nor_takes_its_batch_with_it(bot):
    texts = ["parking permits at the office", "zebra\x00 crossings", "lone \ud800 surrogate",
             "canteen opening hours"]
    for text in texts:
        assert (await bot.post("/api/chat", json={"text": text})).status == 200
    await bot.core.question_log.flush()  # the batch of all four, as the background writer would
    logged = await bot.core.store.questions(since=datetime.now(UTC) - timedelta(hours=1))
    assert [r.text for r in logged] == ["parking permits at the office", "zebra crossings",
                                        "lone  surrogate", "canteen opening hours"]


async def test_a_row_the_database_refuses_is_dropped_alone(sql_kind, tmp_path):
    """Below the edge, in case anything unclean reaches the log: the batch is split until only
    the refused row is left out."""
    async with sql_stores(sql_kind, tmp_path) as (store,):
        now = datetime.now(UTC)
        log = QuestionLog(store=store, key=b"k", clock=lambda: now)
        for text in ["one", "two", "bad \ud800", "four", "five"]:
            log.note(message=Message(platform="web", user_id="web", text=text),
                     reply=Reply(kind=ReplyKind.NOT_FOUND, body="...", question=text))
        assert await log.flush() == 4 and log.dropped == 1
        logged = await store.questions(since=now - timedelta(minutes=1))
    assert [r.text for r in logged] == ["one", "two", "four", "five"]


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_kind(request):
    return request.param

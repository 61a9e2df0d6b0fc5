"""Admin commands as the core runs them: checked and audited in one place; the question log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.conversation.access import Admins
from bot.conversation.admin import AdminCommands
from bot.conversation.core import Arguments
from bot.insights.questionlog import QuestionLog
from bot.insights.records import asker_hash
from bot.knowledge.loader import load_knowledge
from bot.knowledge.reload import Reloader
from bot.messages import Message, ReplyKind
from bot.storage import retention
from bot.storage.retention import Retention
from tests.cores import new_core
from tests.kbfactory import knowledge_dict, write_knowledge
from tests.memory_store import MemoryStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = b"k" * 32
ADMIN = dict(platform="slack", user_id="UADMIN", channel_id="C1", is_direct=False)


def make(tmp_path, *, store=None, outside=0):
    path = write_knowledge(tmp_path / "kb", outside=outside)
    clock = [NOW]
    store = store or MemoryStore()

    def now():
        return clock[0]

    core = new_core(knowledge=load_knowledge(path=path), admins=Admins.from_lists(slack={"UADMIN"}),
                    store=store, clock=now,
                    question_log=QuestionLog(store=store, key=KEY, clock=now))
    AdminCommands(core=core, reloader=Reloader(core=core, path=path)).register()
    return core, clock


async def say(core, text, **who):
    return await core.handle(Message(text=text, **(who or ADMIN)))


async def test_every_admin_command_is_audited_refusals_and_failures_included(tmp_path):
    core, _ = make(tmp_path)

    async def broken(message, arguments):
        raise RuntimeError("boom")

    core.register_admin(name="explode", summary="fails", run=broken,
                        arguments=Arguments(usage="[words]", accepts=lambda rest: True))
    assert (await say(core, "status")).title == "Status"
    refused = await say(core, "reload changes", platform="teams", user_id="29:someone",
                        channel_id="19:x")
    assert refused.kind is ReplyKind.REFUSAL and "only an admin" in refused.text
    with pytest.raises(RuntimeError, match="boom"):
        await say(core, "explode at once")
    entries = await core.store.audit(limit=10)
    assert [(e.command, e.outcome, e.platform, e.user_id, e.channel_id, e.arguments)
            for e in entries] == [
        ("explode", "error", "slack", "UADMIN", "C1", "at once"),
        ("reload", "refused", "teams", "29:someone", "19:x", "changes"),
        ("status", "ok", "slack", "UADMIN", "C1", ""),
    ]
    assert entries[0].at == NOW


async def test_the_audit_command_lists_the_latest_and_is_itself_audited(tmp_path):
    core, _ = make(tmp_path)
    await say(core, "status")
    await say(core, "reload", platform="slack", user_id="UOTHER")
    reply = await say(core, "audit 2")
    assert reply.text.splitlines()[1:] == [
        "• 2026-03-02 09:00 UTC reload refused: by UOTHER on slack",
        "• 2026-03-02 09:00 UTC status ok: by UADMIN on slack in C1",
    ]
    assert (await say(core, "audit 0")).title == "Usage: audit"
    assert [e.command for e in await core.store.audit(limit=1)] == ["audit"]


async def test_an_unreachable_store_does_not_hide_the_reply(tmp_path):
    class DownStore(MemoryStore):
        async def record_audit(self, *, entry):
            raise ConnectionError("store down")

        async def record_questions(self, *, records):
            raise ConnectionError("store down")

    core, _ = make(tmp_path, store=DownStore())
    assert (await say(core, "reload", platform="slack", user_id="UOTHER")).kind is ReplyKind.REFUSAL
    answer = await say(core, "principle 2")
    assert answer.entry == "principle-2"
    await say(core, "zebra crossings in the moonlight")
    assert await core.question_log.flush() == 0
    assert core.question_log.dropped == 1


async def test_questions_are_logged_with_a_keyed_hash_never_the_user_id(tmp_path):
    core, _ = make(tmp_path)
    question = knowledge_dict()["entries"][6]["questions"][0]
    await say(core, question, platform="teams", user_id="29:alice")
    await say(core, "zebra crossings in the moonlight", platform="slack", user_id="UBOB")
    await say(core, "help", platform="slack", user_id="UBOB")  # a command, not a question
    await say(core, "status")  # admin commands are audited, not logged as questions
    assert await core.question_log.flush() == 2
    records = await core.store.questions(since=NOW - timedelta(days=1))
    assert [(r.platform, r.outcome, r.entry, r.text) for r in records] == [
        ("teams", "answer", "topic-0", question),
        ("slack", "not_found", None, "zebra crossings in the moonlight")]
    assert records[0].asker == asker_hash(key=KEY, platform="teams", user_id="29:alice")
    assert "alice" not in repr(records) and "UBOB" not in repr(records)
    assert records[0].principle == 1 and records[0].score > 80


async def test_a_question_outside_the_guidance_is_logged_as_not_covered_with_its_entry(tmp_path):
    core, _ = make(tmp_path, outside=1)
    await say(core, "how do I reset my chirper password?", platform="web", user_id="w1")
    await core.question_log.flush()
    (record,) = await core.store.questions(since=NOW - timedelta(days=1))
    assert (record.outcome, record.entry, record.principle) == ("not_found", "outside-0", None)
    stats = await say(core, "stats")
    assert "not covered 1" in stats.text and "By principle" not in stats.text
    assert "chirper password" in (await say(core, "unanswered")).text  # for an admin to check


async def test_unanswered_groups_similar_questions_and_counts_askers(tmp_path):
    core, clock = make(tmp_path)
    for user, text in (("U1", "can I use tiktok for work"), ("U2", "Can I use TikTok for work?"),
                       ("U1", "can i use tiktok for work please"), ("U3", "parking permits")):
        await say(core, text, platform="slack", user_id=user)
    reply = await say(core, "unanswered 7")
    assert reply.text.splitlines()[1:] == ["• 3× “can I use tiktok for work” (2 asker(s))",
                                           "• 1× “parking permits” (1 asker(s))"]
    await retention.apply(store=core.store, now=NOW + timedelta(days=40), policy=Retention())
    clock[0] = NOW + timedelta(days=1)
    assert "was answered (or none was asked)" in (await say(core, "unanswered")).text
    assert (await say(core, "unanswered 31")).title == "Usage: unanswered"


async def test_stats_give_volumes_rates_and_splits(tmp_path):
    core, _ = make(tmp_path)
    question = knowledge_dict()["entries"][6]["questions"][0]
    await say(core, question, platform="teams", user_id="A")
    await say(core, question, platform="slack", user_id="B")
    await say(core, "parking permits", platform="slack", user_id="B")
    await core.feedback(platform="slack", entry="topic-0", helpful=True)
    await core.feedback(platform="teams", entry="topic-0", helpful=False)
    await core.feedback(platform="teams", entry="topic-0", helpful=True)
    reply = await say(core, "stats")
    assert reply.text.splitlines() == [
        "Last 7 day(s): 3 question(s) from 2 asker(s).",
        "Answered 2 (67%), suggested 0, not covered 1.",
        "Helpful 2 of 3 vote(s) (67%).",
        "By platform: slack 2, teams 1",
        "By principle: 1: 2",
    ]


@pytest.mark.parametrize("argument", ["0", "-1", "99999", "²"])
async def test_bad_day_counts_get_a_usage_line(tmp_path, argument):
    core, _ = make(tmp_path)
    assert (await say(core, f"stats {argument}")).title == "Usage: stats"


async def test_a_refused_reload_is_audited_as_failed(tmp_path):
    core, _ = make(tmp_path)
    (tmp_path / "kb" / "zz-broken.yaml").write_text("entries: [\n", encoding="utf-8")
    reply = await say(core, "reload")
    assert reply.title == "Reload refused" and not reply.ok
    entries = await core.store.audit(limit=1)
    assert (entries[0].command, entries[0].outcome) == ("reload", "failed")

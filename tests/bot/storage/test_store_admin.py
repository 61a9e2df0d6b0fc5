"""The audit log, question log, releases and heartbeats on every store (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.audit import AuditEntry
from bot.storage.questions import Feedback, QuestionRecord
from bot.storage.releases import InstanceBeat, Release

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def question(text: str, *, at: datetime, outcome: str = "not_found") -> QuestionRecord:
    return QuestionRecord(platform="slack", asker="abc", text=text, outcome=outcome, entry=None,
                          principle=None, score=12.5, at=at)


async def test_the_audit_log_lists_the_latest_first(store) -> None:
    for i, outcome in enumerate(("ok", "refused", "error")):
        await store.record_audit(entry=AuditEntry(
            at=NOW + timedelta(minutes=i), platform="slack", user_id=f"U{i}", channel_id="C1",
            command="reload", arguments=f"arg {i}", outcome=outcome))
    latest = await store.audit(limit=2)
    assert [(e.user_id, e.outcome, e.arguments) for e in latest] == [
        ("U2", "error", "arg 2"), ("U1", "refused", "arg 1")]
    assert latest[0].at == NOW + timedelta(minutes=2) and latest[0].channel_id == "C1"


async def test_question_text_is_blanked_after_the_retention_period(store) -> None:
    await store.record_questions(records=[question("old one", at=NOW - timedelta(days=40)),
                                          question("new one", at=NOW - timedelta(days=1),
                                                   outcome="answer")])
    assert await store.forget_questions(before=NOW - timedelta(days=30)) == 1
    assert await store.forget_questions(before=NOW - timedelta(days=30)) == 0
    kept = await store.questions(since=NOW - timedelta(days=60))
    assert [(q.text, q.outcome) for q in kept] == [("", "not_found"), ("new one", "answer")]
    assert [q.text for q in await store.questions(since=NOW - timedelta(days=2))] == ["new one"]


async def test_feedback_since_a_time(store) -> None:
    for days, helpful in ((10, True), (1, False)):
        await store.record_feedback(feedback=Feedback(platform="teams", entry="e", helpful=helpful,
                                                      at=NOW - timedelta(days=days)))
    recent = await store.feedback_since(since=NOW - timedelta(days=2))
    assert [f.helpful for f in recent] == [False]


async def test_the_last_release_and_the_last_good_one(store) -> None:
    assert await store.last_release() is None
    await store.record_release(release=Release(version="v1", by="ann", platform="slack", at=NOW,
                                               ok=True))
    await store.record_release(release=Release(version="v1", by="bob", platform="web",
                                               at=NOW + timedelta(minutes=1), ok=False))
    assert (await store.last_release()).by == "bob"
    good = await store.last_release(ok_only=True)
    assert (good.version, good.by, good.at) == ("v1", "ann", NOW)


async def test_heartbeats_replace_each_other_and_old_instances_drop_out(store) -> None:
    await store.heartbeat(beat=InstanceBeat(instance="a", version="v1", seen_at=NOW))
    await store.heartbeat(beat=InstanceBeat(instance="a", version="v2", seen_at=NOW, note="x"))
    await store.heartbeat(beat=InstanceBeat(instance="b", version="v1",
                                            seen_at=NOW - timedelta(hours=2)))
    beats = await store.instances(since=NOW - timedelta(hours=1))
    assert [(b.instance, b.version, b.note) for b in beats] == [("a", "v2", "x")]


async def test_the_sql_store_answers_its_ping(sql_kind, tmp_path) -> None:
    from tests.bot.conftest import sql_stores

    async with sql_stores(sql_kind, tmp_path) as (store,):
        assert await store.ping() is None

"""Every table's retention, applied by the store (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.settings import Settings, SettingsError
from bot.storage import retention
from bot.storage.retention import Retention
from tests.kbfactory import write_knowledge
from tests.retention_seed import check, seed


async def test_each_kind_of_record_is_kept_for_its_stated_time_and_no_longer(store) -> None:
    now = datetime.now(UTC)
    await seed(store, now=now)
    forgotten = await retention.apply(store=store, now=now, policy=Retention())
    assert forgotten == {"event ids": 1, "question texts": 2, "questions": 1,
                         "vote questions": 2, "votes": 1, "audit entries": 1, "releases": 1,
                         "release names": 1, "subscribers": 1, "conversations": 1,
                         "instances": 1, "reminder slots": 1}
    await check(store, now=now)
    again = await retention.apply(store=store, now=now, policy=Retention())
    assert not any(again.values()), again


def test_the_policy_follows_question_log_days_and_audit_log_days(tmp_path) -> None:
    env = {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")), "QUESTION_LOG_DAYS": "7",
           "AUDIT_LOG_DAYS": "30"}
    policy = Settings.from_env(env).retention
    assert (policy.question_text_days, policy.audit_days) == (7, 30)
    assert Settings.from_env({"KNOWLEDGE_PATH": env["KNOWLEDGE_PATH"]}).retention == Retention()
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**env, "AUDIT_LOG_DAYS": "forever"})
    assert refused.value.problems[0].startswith("AUDIT_LOG_DAYS:")

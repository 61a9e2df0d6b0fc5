from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError
from tests.kbfactory import write_knowledge


@pytest.fixture
def base(tmp_path) -> dict[str, str]:
    return {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb"))}


def test_question_log_and_poll_defaults(base):
    settings = Settings.from_env(base)
    assert (settings.question_log_days, settings.question_log_key, settings.knowledge_poll_seconds,
            settings.instance_id) == (30, None, 5.0, None)


def test_question_log_and_poll_settings(base):
    settings = Settings.from_env({**base, "QUESTION_LOG_DAYS": "90", "QUESTION_LOG_KEY": "k",
                                  "KNOWLEDGE_POLL_SECONDS": "2.5", "INSTANCE_ID": "web-1"})
    assert (settings.question_log_days, settings.question_log_key, settings.knowledge_poll_seconds,
            settings.instance_id) == (90, "k", 2.5, "web-1")


def test_bad_values_are_named_together(base):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**base, "QUESTION_LOG_DAYS": "0", "KNOWLEDGE_POLL_SECONDS": "60"})
    assert [p.split(":")[0] for p in error.value.problems] == ["QUESTION_LOG_DAYS",
                                                              "KNOWLEDGE_POLL_SECONDS"]
    for days in ("thirty", "-1", "9" * 40, "²"):
        with pytest.raises(SettingsError):
            Settings.from_env({**base, "QUESTION_LOG_DAYS": days})
    for seconds in ("nan", "inf", "0", "x"):
        with pytest.raises(SettingsError):
            Settings.from_env({**base, "KNOWLEDGE_POLL_SECONDS": seconds})

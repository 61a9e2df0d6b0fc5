from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from tests.kbfactory import write_knowledge


@pytest.fixture
def base(tmp_path: Path) -> dict[str, str]:
    return {"KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb"))}


def test_reminders_are_on_at_noon_cut_off_by_default(base: dict[str, str]) -> None:
    settings = Settings.from_env(base)
    assert (settings.reminders_enabled, settings.reminder_cutoff) == (True, "12:00")
    assert settings.database_url is None and settings.data_dir == Path("data")


def test_reminders_off_and_another_cut_off(base: dict[str, str]) -> None:
    settings = Settings.from_env({**base, "REMINDERS": "off", "REMINDER_CUTOFF": "10:30",
                                  "DATABASE_URL": "postgres://u@db/bot"})
    assert (settings.reminders_enabled, settings.reminder_cutoff) == (False, "10:30")
    assert settings.database_url == "postgres://u@db/bot"


def test_bad_reminder_settings_are_named_together(base: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**base, "REMINDERS": "sometimes", "REMINDER_CUTOFF": "noon",
                           "DATABASE_URL": "mysql://x"})
    assert [p.split(":")[0] for p in error.value.problems] == [
        "REMINDERS", "REMINDER_CUTOFF", "DATABASE_URL"]


@pytest.mark.parametrize("url", ["postgres://u@db/bot", "postgresql://u@db/bot"])
def test_postgresql_without_asyncpg_says_to_install_the_extra(
        base: dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # as if never installed
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**base, "DATABASE_URL": url})
    [problem] = error.value.problems
    assert problem.startswith("DATABASE_URL: PostgreSQL needs the asyncpg driver")
    assert "pip install 'guidance-bot[postgres]'" in problem


def test_sqlite_needs_no_asyncpg(base: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    assert Settings.from_env({**base, "DATABASE_URL": "sqlite:///bot.sqlite3"}).database_url

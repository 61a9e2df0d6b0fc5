from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main
from tests.kbfactory import write_knowledge

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KNOWLEDGE_PATH", str(write_knowledge(tmp_path / "kb")))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_db_upgrade_creates_the_default_sqlite_database(env: Path) -> None:
    assert main(["db", "upgrade"]) == 0
    with sqlite3.connect(env / "data" / "guidance-bot.sqlite3") as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"subscriptions", "reminder_slots", "processed_events", "conversations",
            "feedback"} <= tables
    assert version == ("0002",)


def test_run_due_reports_one_pass_as_json(env: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env / 'other.sqlite3'}")
    assert main(["reminders", "run-due", "--at", "2026-03-02T09:00:00+00:00"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"delivered": 0, "retrying": 0, "failed": 0, "closed": 0, "busy": 0,
                      "due": 0}
    assert (env / "other.sqlite3").is_file()


def test_run_due_refuses_a_bad_instant(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["reminders", "run-due", "--at", "next tuesday"])
    assert exited.value.code == 2
    assert "ISO-8601" in capsys.readouterr().err


def test_ask_never_imports_the_database_libraries(env: Path) -> None:
    code = ("import sys; from adapters.cli import main; main(['ask', 'hello']); "
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'aiosqlite', 'asyncpg') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"

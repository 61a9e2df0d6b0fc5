from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli.main import main
from tests.kbfactory import write_knowledge

PROJECT = Path(__file__).resolve().parents[3]


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
    assert version == ("0003",)


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
    code = ("import sys; from adapters.cli.main import main; main(['ask', 'hello']); "
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'aiosqlite', 'asyncpg') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_reload_records_the_version_so_running_instances_converge(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.storage.sqlstore import SQLStore

    assert main(["reload"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Reloaded: now serving version ")
    version = out.split()[4]

    async def recorded():
        store = SQLStore.from_url(url=None, data_dir=env / "data")
        try:
            return await store.last_release(), await store.audit(limit=5)
        finally:
            await store.close()

    release, audit = asyncio.run(recorded())
    assert (release.version, release.ok, release.platform) == (version, True, "cli")
    assert release.by.startswith("cli:")
    assert [(e.command, e.outcome, e.platform) for e in audit] == [("reload", "ok", "cli")]


def test_reload_of_a_broken_knowledge_base_exits_1_with_file_and_line(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "kb" / "zz.yaml").write_text("entries:\n  - id: x\n    principle: 9\n", encoding="utf-8")
    assert main(["reload"]) == 1
    out = capsys.readouterr().out
    assert f"{env / 'kb' / 'zz.yaml'}:2: " in out


def test_a_reload_the_core_refuses_exits_1_without_claiming_a_recorded_version(
        env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.knowledge.loader import KnowledgeError, Problem
    from bot.knowledge.reload import Reloader

    async def unreadable(self) -> None:  # the files changed between the check and the reload
        raise KnowledgeError([Problem(file="kb.yaml", line=3, message="broken meanwhile")])

    monkeypatch.setattr(Reloader, "read", unreadable)
    assert main(["reload"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("Reload refused: the knowledge base has 1 problem(s).")
    assert "Recorded version" not in captured.err


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_fan_out_progress_is_reported_every_n_posts_and_when_it_has_been_a_while() -> None:
    import io

    from adapters.cli.main import FanOutProgress
    from bot.reminders.service import PassReport

    out, ticks = io.StringIO(), Ticks()
    progress = FanOutProgress(out=out, every=100, seconds=10.0, monotonic=ticks)
    report = PassReport(due=250, closed=2, busy=1)
    progress(done=0, report=report)
    for done in range(1, 251):
        ticks.now += 1.0 if done > 150 else 0.0  # a second a post after 150: a line every 10 s
        report.delivered += 1
        progress(done=done, report=report)
    progress.finish(report)
    lines = out.getvalue().splitlines()
    assert lines[0] == "reminders: 250 due; 2 closed past the cut-off; 1 held by another runner"
    done_counts = [int(text.split()[1]) for text in lines[1:-1]]
    assert done_counts == [100, 160, 170, 180, 190, 200, 210, 220, 230, 240, 250]
    assert lines[-1].startswith("reminders: finished: 250 of 250 done: 250 delivered, 0 to retry, "
                                "0 failed, 0 taken by another runner in ")

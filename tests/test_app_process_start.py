"""What a real start says: `python app.py` and `guidance-bot` as operators run them, their logs read
back. The address to open, the knowledge base, the database (never its credentials), each
platform on or off with why, and one line, not a traceback, when the database cannot be reached."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.knowledge.loader import load_knowledge
from tests.bot.conftest import NO_PG, PG_URL
from tests.kbfactory import write_knowledge
from tests.test_app_process import PROJECT, app_process, free_port

UNREACHABLE = "postgresql://postgres:not-a-real-password@127.0.0.1:1/test"  # nothing on port 1
PLATFORM_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId",
                      "MicrosoftAppPassword", "TEAMS_ADMIN_IDS", "GUIDANCE_BOT_ENV", "DATABASE_URL",
                      "REMINDERS", "KNOWLEDGE_URL")
CLEAN = {name: "" for name in PLATFORM_VARIABLES}


def started_then_stopped(tmp_path: Path, **env: str) -> tuple[str, list[str]]:
    """Start the app, stop it with SIGTERM, and return (base URL, its log messages in order)."""
    with app_process(tmp_path, **{**CLEAN, **env}) as (base, process):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    log = (tmp_path / "stderr.log").read_text()
    assert "Traceback" not in log, log
    return base, [json.loads(line)["message"] for line in log.splitlines() if line.startswith("{")]


def line(messages: list[str], start: str) -> str:
    found = [m for m in messages if m.startswith(start)]
    assert len(found) == 1, (start, messages)
    return found[0]


def test_a_start_names_the_address_the_knowledge_base_the_database_and_each_platform(tmp_path):
    base, messages = started_then_stopped(tmp_path)
    knowledge = load_knowledge(path=tmp_path / "kb")
    assert line(messages, "guidance-bot ").endswith(f"listening on 127.0.0.1: open {base}/ for the "
                                                    "web chat")
    assert line(messages, "knowledge base:") == (
        f"knowledge base: version {knowledge.version}, {len(knowledge.entries)} entries "
        f"(KNOWLEDGE_PATH {tmp_path / 'kb'})")
    assert line(messages, "database:") == (
        f"database: SQLite file {(tmp_path / 'data' / 'guidance-bot.sqlite3').resolve()} "
        "(DATABASE_URL unset: the file in DATA_DIR)")
    assert line(messages, "Slack:") == "Slack: off (SLACK_BOT_TOKEN unset)"
    assert line(messages, "Teams:") == "Teams: off (MicrosoftAppId unset)"
    assert line(messages, "Emulator endpoint:") == (
        "Emulator endpoint: on, loopback only, no admin, at POST /api/messages (MicrosoftAppId unset)")
    assert line(messages, "Web chat:").startswith("Web chat: on")
    assert line(messages, "Reminders:") == "Reminders: on, posted by this process (REMINDERS=on)"
    # Said once the port answers, so the address it names can be opened.
    assert messages.index(line(messages, "guidance-bot ")) < messages.index(
        line(messages, "shutting down"))


def test_with_slack_and_teams_configured_both_are_on_and_no_secret_is_logged(tmp_path):
    secrets = {"SLACK_BOT_TOKEN": "xoxb-start-test-5150", "SLACK_SIGNING_SECRET": "sign-start-6160",
               "MicrosoftAppPassword": "teams-password-7170"}
    app_id = "00000000-0000-0000-0000-00000000b0b0"
    _, messages = started_then_stopped(tmp_path, HOST="0.0.0.0", REMINDERS="off",
                                       MicrosoftAppId=app_id, **secrets)
    assert "listening on all addresses: open http://localhost:" in line(messages, "guidance-bot ")
    assert line(messages, "Slack:") == ("Slack: on, events at POST /slack/events (SLACK_BOT_TOKEN "
                                        "and SLACK_SIGNING_SECRET set)")
    assert line(messages, "Teams:") == f"Teams: on, at POST /api/messages (MicrosoftAppId {app_id})"
    assert line(messages, "Emulator endpoint:") == "Emulator endpoint: off (MicrosoftAppId set)"
    assert line(messages, "Reminders:").startswith("Reminders: off (REMINDERS=off")
    for secret in secrets.values():
        assert not any(secret in m for m in messages), secret


@pytest.fixture
def fresh_postgres():
    """A new, empty PostgreSQL database for one app process, dropped afterwards."""
    if not PG_URL:
        pytest.skip(NO_PG)
    import asyncpg

    name = f"test_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(PG_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_a_postgresql_database_is_named_by_host_port_and_name_without_its_user(tmp_path,
                                                                               fresh_postgres):
    _, messages = started_then_stopped(tmp_path, DATABASE_URL=fresh_postgres)
    parts = urlsplit(fresh_postgres)
    assert line(messages, "database:") == (
        f"database: postgresql://{parts.hostname}:{parts.port or 5432}{parts.path} (DATABASE_URL)")
    assert parts.username and not any(f"{parts.username}@" in m for m in messages)


def run_app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **CLEAN, "PORT": str(free_port()), "HOST": "127.0.0.1",
               "LOG_FORMAT": "plain", "KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")),
               "DATA_DIR": str(tmp_path / "data"), "PYTHONWARNINGS": "always", **env}
    return subprocess.run([sys.executable, "-X", "dev", "app.py"], cwd=PROJECT, env=environ,
                          capture_output=True, text=True, timeout=120)


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "    |" not in stderr, stderr
    assert "unclosed" not in stderr.lower(), stderr
    errors = [text for text in stderr.splitlines() if " ERROR " in text]
    assert len(errors) == 1, stderr
    return errors[0]


def test_an_unreachable_database_stops_the_app_with_one_line_naming_its_host(tmp_path):
    done = run_app(tmp_path, DATABASE_URL=UNREACHABLE)
    assert done.returncode == 1, done.stderr
    error = one_error_line(done.stderr)
    assert error.endswith("database: cannot connect to postgresql://127.0.0.1:1/test "
                          "(DATABASE_URL): ConnectionRefusedError: [Errno 111] Connect call "
                          "failed ('127.0.0.1', 1)"), error
    assert "not-a-real-password" not in done.stderr


def test_a_sqlite_file_that_cannot_be_created_stops_the_app_with_one_line(tmp_path):
    done = run_app(tmp_path, DATA_DIR="/proc/guidance-bot-data")  # nobody can create a folder there
    assert done.returncode == 1, done.stderr
    error = one_error_line(done.stderr)
    assert ("database: cannot connect to SQLite file /proc/guidance-bot-data/guidance-bot.sqlite3 "
            "(DATABASE_URL unset: the file in DATA_DIR): FileNotFoundError") in error, error


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **CLEAN, **env}
    return subprocess.run([sys.executable, "-m", "adapters.cli.main", *args], cwd=PROJECT, env=environ,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("verb", [("db", "upgrade"), ("reload",), ("reminders", "run-due")])
def test_commands_that_need_the_database_say_it_is_unreachable_in_one_line(tmp_path, verb):
    done = cli(*verb, DATABASE_URL=UNREACHABLE, KNOWLEDGE_PATH=str(write_knowledge(tmp_path / "kb")))
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "database: cannot connect to postgresql://127.0.0.1:1/test (DATABASE_URL): "
        "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)"]
    assert done.stdout == ""


def test_serve_stops_the_same_way(tmp_path):
    done = cli("serve", DATABASE_URL=UNREACHABLE, PORT=str(free_port()), LOG_FORMAT="plain",
               KNOWLEDGE_PATH=str(write_knowledge(tmp_path / "kb")))
    assert done.returncode == 1, done.stderr
    assert "database: cannot connect to postgresql://127.0.0.1:1/test" in one_error_line(done.stderr)

"""The start-up report's claims held to what `create_app` really mounts, and database addresses
that never carry credentials."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.startup import address, switches
from app import create_app
from bot.settings import Settings
from bot.storage.sqlstore import describe, describe_database

CONFIGURATIONS = {
    "nothing": {},
    "slack over HTTP": {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
    "slack socket mode": {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
    "teams": {"MicrosoftAppId": "00000000-0000-0000-0000-0000000000a1",
              "MicrosoftAppPassword": "p"},
    "production without teams": {"GUIDANCE_BOT_ENV": "production", "TEAMS_ENABLED": "false"},
}


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_each_platform_said_to_be_on_is_mounted_and_each_said_to_be_off_is_not(name, kb_path,
                                                                              tmp_path):
    settings = Settings.from_env({**CONFIGURATIONS[name], "KNOWLEDGE_PATH": str(kb_path),
                                  "DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings=settings)
    routes = {route.resource.canonical for route in app.router.routes()}
    said = {switch.name: switch for switch in switches(settings=settings)}
    slack_http = "/slack/events" in routes
    slack_socket = any("socket" in repr(ctx).lower() for ctx in app.cleanup_ctx)
    assert said["Slack"].on == (slack_http or slack_socket)
    assert ("POST /slack/events" in said["Slack"].how) == slack_http
    assert ("Socket Mode" in said["Slack"].how) == slack_socket
    assert (said["Teams"].on or said["Emulator endpoint"].on) == ("/api/messages" in routes)
    assert not (said["Teams"].on and said["Emulator endpoint"].on)


@pytest.mark.parametrize("url", [
    "postgresql://bot-user:s3cret-pass@db.internal:6543/guidance?sslmode=require&password=q",
    "postgres://bot-user:s3cret-pass@db.internal:6543/guidance",
    "postgresql+asyncpg://bot-user:s3cret-pass@db.internal:6543/guidance",
])
def test_a_database_is_named_by_scheme_host_port_and_name_only(url):
    assert describe_database(url=url, data_dir=Path("data")) == (
        "postgresql://db.internal:6543/guidance")


def test_other_database_addresses():
    assert describe("postgresql://u:p@[::1]/x") == "postgresql://[::1]:5432/x"
    assert describe("postgresql://u@/x?host=/run/postgresql") == (
        "postgresql on the socket in /run/postgresql (port 5432), database x")
    assert describe_database(url=None, data_dir=Path("/srv/bot")) == (
        "SQLite file /srv/bot/guidance-bot.sqlite3")
    assert describe_database(url="sqlite:///relative.db", data_dir=Path("x")) == (
        "SQLite file relative.db")


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", 3978, "http://127.0.0.1:3978/"),
    ("0.0.0.0", 8080, "http://localhost:8080/"),
    ("::", 8080, "http://localhost:8080/"),
    ("::1", 8080, "http://[::1]:8080/"),
    ("bot.example", 3978, "http://bot.example:3978/"),
])
def test_the_address_to_open(host, port, url):
    assert address(host=host, port=port) == url


def test_a_connection_that_times_out_says_so():
    from bot.storage.sql.base import _reason

    url = sa.make_url("postgresql://u:p@127.0.0.1:5/x")
    assert _reason(TimeoutError(), url=url) == "TimeoutError: no answer in time"
    assert _reason(ConnectionRefusedError(111, "refused"), url=url) == (
        "ConnectionRefusedError: [Errno 111] refused")
    secret = sa.make_url("postgresql://u:hunter22@h/x")
    assert _reason(OSError("auth hunter22 failed"), url=secret) == "OSError: auth *** failed"

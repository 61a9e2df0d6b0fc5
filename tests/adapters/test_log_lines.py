"""A log line is one event in every format, whatever a client put in the text it logs: a Teams
activity id with a newline cannot write a line of its own, through the real route and handler."""

from __future__ import annotations

import json
import re
import socket

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.logs import TRACEBACK_INDENT
from bot.settings import Settings
from tests.adapters.teams_support import golden
from tests.kbfactory import write_knowledge

FORGED = "2026-11-30 09:00:00,000 ERROR guidance_bot [-] forged: admin token accepted"
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+ \[[^\]]*\] ")


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/"


@pytest.mark.parametrize("fmt", ["plain", "json"])
async def test_a_newline_in_an_activity_id_never_starts_a_log_line(tmp_path, connector,
                                                                   configured, fmt):
    stream = configured(fmt)
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), reminders_enabled=False,
                        data_dir=tmp_path / "data")
    app = create_app(settings=settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        activity = golden("personal_message", service_url=connector.url, id=f"1\n{FORGED}\r")
        for _ in range(2):  # the second is a redelivery, logged with its id
            assert (await client.post("/api/messages", json=activity)).status == 201
        failing = golden("personal_message", service_url=_closed_port_url(),
                         id=f"2\n{FORGED}\u2028")  # the reply fails: logged with a traceback
        assert (await client.post("/api/messages", json=failing)).status == 201
    lines = stream.getvalue().splitlines()
    if fmt == "json":
        records = [json.loads(line) for line in lines]
        assert sum(f"1\n{FORGED}\r" in record["message"] for record in records) == 1
        assert any(f"2\n{FORGED}\u2028" in record["message"] for record in records)
        return
    assert all(RECORD.match(line) or line.startswith(TRACEBACK_INDENT) for line in lines), lines
    assert not any(line.startswith(FORGED) for line in lines)
    assert sum(f"1\\n{FORGED}\\r" in line for line in lines) == 1
    assert any(f"2\\n{FORGED}\\u2028" in line for line in lines)
    assert any(line.startswith(f"{TRACEBACK_INDENT}Traceback") for line in lines)

"""Calls to Bot Framework services are bounded in time, and a service URL that never answers ties up
only threads of its own: other conversations still get their replies, and an admin's reload and
`/healthz` still run, through the real app, botbuilder and `requests`, against local connectors
(one that records, one that accepts connections and never answers).

`asyncio.wait_for` guards below only turn what would be a hang on the old code into a failure.
"""

from __future__ import annotations

import asyncio
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer
from msrest.authentication import Authentication

from adapters.teams.connectors import OutboundLimits
from app import create_app
from bot.settings import Settings
from tests.adapters.bot_framework import BotFramework, TestCredentials
from tests.adapters.teams_support import golden
from tests.kbfactory import write_knowledge

GUARD = 30.0  # seconds; far beyond what the bounded code needs
# The event loop's default pool, which msrest sends in unless told otherwise.
DEFAULT_POOL = min(32, (os.cpu_count() or 1) + 4)


class SilentConnector:
    """Accepts connections and reads requests, and never answers until closed."""

    def __init__(self) -> None:
        self.arrived = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/"

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        while await reader.readline() not in (b"\r\n", b""):
            pass
        self.arrived += 1

    async def close(self) -> None:
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()


@pytest.fixture
async def silent():
    connector = SilentConnector()
    await connector.start()
    yield connector
    await connector.close()


async def _app(tmp_path, *, limits: OutboundLimits, teams_options: dict | None = None,
               **settings):
    configured = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), admin_token="admin",
                          reminders_enabled=False, data_dir=tmp_path / "data", **settings)
    app = create_app(settings=configured,
                     teams_options={**(teams_options or {}), "outbound": limits})
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


async def _wait_until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def test_a_service_url_that_never_answers_blocks_no_one_else(tmp_path, connector, silent):
    client = await _app(tmp_path, limits=OutboundLimits(read_seconds=GUARD * 4,
                                                        deadline_seconds=GUARD * 4, threads=2))
    stuck = [asyncio.create_task(client.post("/api/messages", json=golden(
        "personal_message", service_url=silent.url, id=f"stuck-{number}",
        conversation={"id": f"a:stuck-{number}", "conversationType": "personal"})))
        for number in range(DEFAULT_POOL + 2)]
    try:
        await asyncio.wait_for(_wait_until(lambda: silent.arrived >= 2), GUARD)
        await asyncio.sleep(0.3)  # the rest are queued by now
        genuine = await asyncio.wait_for(client.post("/api/messages", json=golden(
            "personal_message", service_url=connector.url)), GUARD)
        assert genuine.status == 201
        assert len(connector.received) == 1
        reload = await asyncio.wait_for(client.post(
            "/api/chat", json={"text": "reload"}, headers={"Authorization": "Bearer admin"}),
            GUARD)
        assert (await reload.json())["text"].startswith("Reloaded")
        assert not any(task.done() for task in stuck)  # still held, and held by nobody else
        assert silent.arrived == 2  # its own two threads, however many wait for it
    finally:
        await silent.close()  # frees the held threads: their sends fail at once
        done = await asyncio.wait_for(asyncio.gather(*stuck, return_exceptions=True), GUARD)
        await client.close()
    assert {getattr(response, "status", response) for response in done} == {201}


async def test_a_reply_to_a_service_url_that_never_answers_is_given_up(tmp_path, silent,
                                                                       caplog):
    client = await _app(tmp_path, limits=OutboundLimits(connect_seconds=1, read_seconds=0.5,
                                                        deadline_seconds=1, threads=2))
    try:
        response = await asyncio.wait_for(client.post("/api/messages", json=golden(
            "personal_message", service_url=silent.url)), GUARD)
        assert response.status == 201
        assert silent.arrived == 2  # the reply, then the apology, each given up
        assert "could not tell the user about the error" in caplog.text
    finally:
        await client.close()


class LoginService(BaseHTTPRequestHandler):
    """A token endpoint that answers only when the test lets it (or after a while, at worst)."""

    release = threading.Event()
    answered = threading.Event()

    def do_POST(self):  # noqa: N802 (the stdlib's name)
        LoginService.release.wait(timeout=GUARD)
        body = b'{"access_token": "from-the-slow-login"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        LoginService.answered.set()

    def log_message(self, *args):
        return None


class SlowLoginCredentials(Authentication):
    """Like botbuilder's MicrosoftAppCredentials: a blocking token request with no timeout,
    cached once it has been answered."""

    def __init__(self, login_url: str) -> None:
        self.microsoft_app_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
        self.login_url = login_url
        self.token: str | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self.token is None:
            self.token = requests.post(self.login_url).json()["access_token"]
        return self.token

    def signed_session(self, session=None):
        session = session or requests.Session()
        session.headers["Authorization"] = f"Bearer {self.get_access_token()}"
        return session


class SlowLoginFactory(TestCredentials):
    def __init__(self, login_url: str) -> None:
        self.credentials = SlowLoginCredentials(login_url)

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        return self.credentials


@pytest.fixture
def login_url():
    LoginService.release.clear()
    LoginService.answered.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), LoginService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/token"
    finally:
        LoginService.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


async def test_fetching_the_app_token_never_stops_the_event_loop(tmp_path, connector, login_url,
                                                                 bot_framework):
    options = {**bot_framework.teams_options(), "credentials_factory": SlowLoginFactory(login_url)}
    client = await _app(tmp_path, limits=OutboundLimits(), teams_options=options,
                        **bot_framework.settings())
    try:
        answer = asyncio.create_task(client.post(
            "/api/messages", json=golden("personal_message", service_url=connector.url),
            headers=BotFramework.headers(service_url=connector.url)))
        await asyncio.sleep(0.5)  # the reply is waiting for its token by now
        health = await asyncio.wait_for(client.get("/healthz"), GUARD)
        assert health.status == 200
        assert not LoginService.answered.is_set()  # answered while the token request hung
        LoginService.release.set()
        assert (await asyncio.wait_for(answer, GUARD)).status == 201
        (sent,) = connector.received
        assert sent["authorization"] == "Bearer from-the-slow-login"
    finally:
        await client.close()

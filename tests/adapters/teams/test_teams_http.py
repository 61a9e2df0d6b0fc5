"""`POST /api/messages` refuses bad requests with 4xx, never 500, with and without authentication.

With an app id set, tokens are checked by botbuilder's real JWT code against a local OpenID
metadata service (a thread: botbuilder fetches it with blocking `requests` on the event loop), and
outgoing calls use injected credentials, so nothing reaches Microsoft.
"""

from __future__ import annotations

import json
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams import setup_teams
from adapters.teams.http import MAX_BODY_BYTES
from bot.settings import Settings
from tests.adapters.bot_framework import FOREIGN_KEY, TestCredentials, token
from tests.adapters.teams_support import FakeConnector, golden, make_core
from tests.memory_store import MemoryStore


async def _serve(tmp_path, settings, **options):
    connector = FakeConnector()
    connector_server = TestServer(connector.app())
    await connector_server.start_server()
    store = MemoryStore()
    app = web.Application()
    app.cleanup_ctx.extend(setup_teams(app, core=make_core(tmp_path, store=store),
                                       settings=settings, store=store, **options))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client, connector, connector_server


@pytest.fixture
async def open_endpoint(tmp_path):
    client, connector, connector_server = await _serve(tmp_path, Settings())
    client.connector_url = str(connector_server.make_url("/"))
    client.fake_connector = connector
    yield client
    await client.close()
    await connector_server.close()


@pytest.fixture
async def secured(tmp_path, bot_framework):
    client, connector, connector_server = await _serve(
        tmp_path, Settings(**bot_framework.settings()), **bot_framework.teams_options())
    client.connector_url = str(connector_server.make_url("/"))
    client.fake_connector = connector
    yield client
    await client.close()
    await connector_server.close()


async def post(client, *, headers=None, name="personal_message", **changes):
    return await client.post("/api/messages", headers=headers or {},
                             json=golden(name, service_url=client.connector_url, **changes))


# Authentication on

async def test_valid_token_is_accepted_and_the_reply_uses_our_credentials(secured):
    bearer = token(service_url=secured.connector_url)
    response = await post(secured, headers={"Authorization": f"Bearer {bearer}"})
    assert response.status == 201
    (sent,) = secured.fake_connector.received
    assert sent["authorization"] == "Bearer outgoing-test-token"


async def test_credentials_and_connections_are_reused_across_activities(secured):
    TestCredentials.made = 0
    bearer = token(service_url=secured.connector_url)
    for number in range(3):
        response = await post(secured, headers={"Authorization": f"Bearer {bearer}"},
                              id=f"reuse-{number}")
        assert response.status == 201
    assert len(secured.fake_connector.received) == 3
    assert TestCredentials.made == 1  # one MSAL token cache, not a token request per reply
    assert len(secured.fake_connector.peers) == 1  # one kept-alive connection


async def test_missing_token_is_401(secured):
    response = await post(secured)
    assert response.status == 401
    assert secured.fake_connector.received == []


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt", "Bearer ", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer x y",
    "garbage", "Bearer " + "A" * 5000,
])
async def test_malformed_token_is_401(secured, header):
    response = await post(secured, headers={"Authorization": header})
    assert response.status == 401
    assert secured.fake_connector.received == []


@pytest.mark.parametrize("case", ["other key", "unknown kid", "other app", "expired",
                                  "other issuer", "other service url", "emulator issuer"])
async def test_foreign_token_is_401(secured, case):
    url = secured.connector_url
    bearer = {
        "other key": lambda: token(key=FOREIGN_KEY, service_url=url),
        "unknown kid": lambda: token(key=FOREIGN_KEY, kid="someone-else", service_url=url),
        "other app": lambda: token(service_url=url, aud="99999999-9999-9999-9999-999999999999"),
        "expired": lambda: token(service_url=url, exp=int(time.time()) - 3600),
        "other issuer": lambda: token(service_url=url, iss="https://evil.example"),
        "other service url": lambda: token(service_url="https://evil.example/"),
        "emulator issuer": lambda: token(
            key=FOREIGN_KEY, service_url=url,
            iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/", ver="1.0"),
    }[case]()
    response = await post(secured, headers={"Authorization": f"Bearer {bearer}"})
    assert response.status == 401
    assert secured.fake_connector.received == []


async def test_bad_body_is_rejected_before_authentication(secured):
    response = await secured.post("/api/messages", data=b"{nope",
                                  headers={"Content-Type": "application/json"})
    assert response.status == 400


# Bad input, authentication off (the Emulator setting) so that only the body is judged

async def test_invalid_json_is_400(open_endpoint):
    response = await open_endpoint.post("/api/messages", data=b"{not json",
                                        headers={"Content-Type": "application/json"})
    assert response.status == 400


@pytest.mark.parametrize("body", [b"[]", b"42", b"null", b"\"text\"", b"\xff\xfe"])
async def test_json_that_is_not_an_object_is_400(open_endpoint, body):
    response = await open_endpoint.post("/api/messages", data=body,
                                        headers={"Content-Type": "application/json"})
    assert response.status == 400


@pytest.mark.parametrize("changes", [
    {"type": None}, {"type": ""}, {"type": 5}, {"serviceUrl": None}, {"serviceUrl": "ftp://x"},
    {"serviceUrl": 7}, {"conversation": None}, {"conversation": {"id": 3}},
    {"conversation": "a:1"}, {"from": "someone"}, {"recipient": []}, {"recipient": None},
    {"recipient": {"id": 5}},
])
async def test_activity_missing_what_a_reply_needs_is_400(open_endpoint, changes):
    response = await post(open_endpoint, **changes)
    assert response.status == 400
    assert open_endpoint.fake_connector.received == []


@pytest.mark.parametrize("changes", [
    {"text": 12}, {"entities": "x"}, {"value": [1, 2]}, {"membersAdded": "x"},
    {"timestamp": "yesterday"}, {"attachments": {"a": 1}},
])
async def test_oddly_typed_fields_never_give_500(open_endpoint, changes):
    response = await post(open_endpoint, **changes)
    assert response.status in (201, 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml"])
async def test_wrong_content_type_is_415(open_endpoint, content_type):
    response = await open_endpoint.post("/api/messages", data=b"{}",
                                        headers={"Content-Type": content_type})
    assert response.status == 415


async def test_oversized_body_is_413(open_endpoint):
    body = json.dumps({"type": "message", "text": "x" * (MAX_BODY_BYTES + 10)})
    response = await open_endpoint.post("/api/messages", data=body,
                                        headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_oversized_chunked_body_is_413(open_endpoint):
    async def chunks():
        yield b'{"type": "message", "text": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = await open_endpoint.post("/api/messages", data=chunks(),
                                        headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_only_post_is_allowed(open_endpoint):
    response = await open_endpoint.get("/api/messages")
    assert response.status == 405


async def test_blank_app_id_runs_unauthenticated_and_says_so(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="adapters.teams"):
        client, connector, connector_server = await _serve(tmp_path, Settings())
    try:
        assert "NO AUTHENTICATION" in caplog.text
        response = await client.post("/api/messages", json=golden(
            "personal_message", service_url=str(connector_server.make_url("/"))))
        assert response.status == 201
        assert len(connector.received) == 1
        assert connector.received[0]["authorization"] is None
    finally:
        await client.close()
        await connector_server.close()

"""Random requests to `POST /api/messages`, with and without authentication: never a 5xx, never a hang.

Activities name the local fake connector as their serviceUrl (some under a path it answers
404, so sends fail too), so every reply the bot attempts stays on this machine. With an app id
set, tokens are random: valid ones with random claims, foreign keys, and JWT-shaped garbage,
checked by botbuilder's real code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.observability import Metrics, setup_observability
from adapters.teams import setup_teams
from app import create_app
from bot.settings import Settings
from tests.adapters.bot_framework import FOREIGN_KEY, SIGNING_KEY, token
from tests.adapters.teams_support import golden, make_core
from tests.fuzzhttp import Route, fuzz, json_value, random_text
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

NAMES = ("personal_message", "channel_mention", "card_submit", "conversation_update",
         "installation_update")
FIELDS = ("text", "type", "value", "entities", "attachments", "membersAdded", "membersRemoved",
          "channelData", "from", "conversation", "recipient", "replyToId", "id", "timestamp",
          "action", "locale", "textFormat", "name", "channelId")


def activity_bodies(service_urls: list[str]):
    def bodies(rng: random.Random) -> bytes:
        activity = golden(rng.choice(NAMES), service_url=rng.choice(service_urls))
        if rng.random() < 0.7:
            activity["text"] = random_text(rng)
        if rng.random() < 0.3:
            activity["value"] = {"action": rng.choice(["feedback", "suggest", "share", "x", None]),
                                 "entry": json_value(rng), "helpful": json_value(rng),
                                 "question": json_value(rng)}
        for _ in range(rng.randrange(3)):
            activity[rng.choice(FIELDS)] = json_value(rng)
        return json.dumps(activity).encode()
    return bodies


def _segment(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def random_token(service_url: str, rng: random.Random) -> str:
    return _token(service_url, rng)[:6000]  # past 8 KB aiohttp refuses the header itself (400)


def _token(service_url: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return token(service_url=service_url)
    if kind == 1:
        claims = {rng.choice(["aud", "iss", "exp", "nbf", "serviceurl", "appid", "ver", "azp"]):
                  json_value(rng) for _ in range(rng.randrange(1, 3))}
        try:
            return token(service_url=service_url, **claims)
        except (TypeError, ValueError):  # PyJWT refuses some claim values outright
            return token(service_url=service_url)
    if kind == 2:
        return token(key=FOREIGN_KEY, service_url=service_url)
    if kind == 3:
        return token(key=SIGNING_KEY, kid=random_text(rng, short=True), service_url=service_url)
    if kind == 4:
        return ".".join([_segment(json_value(rng)), _segment(json_value(rng)), "c2ln"])
    return "".join(c for c in random_text(rng) if " " < c < "\x7f")


def bearer_signer(default_service_url: str):
    def sign(body: bytes, headers: dict[str, str]) -> dict[str, str]:
        rng = random.Random(hashlib.sha256(body).digest())
        try:
            service_url = json.loads(body).get("serviceUrl")
        except (ValueError, AttributeError, RecursionError):
            service_url = None
        if not isinstance(service_url, str):
            service_url = default_service_url
        added = {"Authorization": f"Bearer {random_token(service_url, rng)}"}
        if rng.random() < 0.8:
            added["Content-Type"] = "application/json"
        return added
    return sign


def _base(client: TestClient) -> str:
    return str(client.make_url("")).rstrip("/")


async def test_random_activities_without_authentication_never_get_a_5xx_or_hang(tmp_path, connector):
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"), data_dir=tmp_path / "data")
    bodies = activity_bodies([connector.url, connector.url, connector.url + "gone/"])
    routes = [Route(method="POST", path="/api/messages", bodies=bodies,
                    sign=lambda body, headers: {"Content-Type": "application/json"})]
    async with TestClient(TestServer(create_app(settings=settings), host="127.0.0.1")) as client:
        report = await fuzz(base_url=_base(client), routes=routes, count=300, seed=5)
    assert report.sent == 300
    assert not report.failures, "\n".join(map(str, report.failures[:20]))
    assert report.statuses.get(201, 0) + report.statuses.get(200, 0) >= 5
    assert connector.received  # the happy path was reached and answered on the fake connector


@pytest.fixture
async def secured(tmp_path, bot_framework, connector):
    """Authentication on, behind the same observability middleware as in app.py."""
    store, metrics = MemoryStore(), Metrics()
    core = make_core(tmp_path, store=store, observers=(metrics,))
    app = web.Application()
    setup_observability(app, core=core, metrics=metrics)
    app.cleanup_ctx.extend(setup_teams(app, core=core, settings=Settings(**bot_framework.settings()),
                                       store=store, **bot_framework.teams_options()))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


async def test_random_tokens_never_get_a_5xx_or_hang(secured, connector):
    url = connector.url
    routes = [Route(method="POST", path="/api/messages", bodies=activity_bodies([url]),
                    sign=bearer_signer(url))]
    report = await fuzz(base_url=_base(secured), routes=routes, count=300, seed=6)
    rng = random.Random(8)  # and a well-formed activity under each of many random tokens
    token_statuses = []
    for number in range(100):
        activity = golden(rng.choice(NAMES), service_url=url, id=f"tok-{number}")
        response = await secured.post("/api/messages", json=activity, headers={
            "Authorization": f"Bearer {random_token(url, rng)}"})
        token_statuses.append(response.status)
    assert report.sent == 300
    assert not report.failures, "\n".join(map(str, report.failures[:20]))
    assert report.statuses.get(401, 0) > 10
    assert set(token_statuses) <= {200, 201, 401}
    assert token_statuses.count(401) > 30 and token_statuses.count(201) > 10  # valid tokens got in
    assert all(item["authorization"] == "Bearer outgoing-test-token" for item in connector.received)


@pytest.mark.parametrize("claims", [{"appid": {"a": 1}}, {"azp": ["x"]}, {"appid": [1, 2]}])
async def test_a_trusted_token_with_a_claim_that_is_not_a_string_is_not_a_500(secured, connector,
                                                                             claims):
    bearer = token(service_url=connector.url, **claims)
    response = await secured.post("/api/messages", json=golden(
        "personal_message", service_url=connector.url), headers={"Authorization": f"Bearer {bearer}"})
    assert response.status in (201, 401)

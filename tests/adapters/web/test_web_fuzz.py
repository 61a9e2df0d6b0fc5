"""Random and malformed requests to every web route: never a 5xx, never a hang."""

from __future__ import annotations

import json
import logging
import random

import pytest

from tests.fuzzhttp import Route, fuzz, random_text, raw_requests


def chat_bodies(rng: random.Random) -> bytes:
    return json.dumps(rng.choice([{"text": random_text(rng)}, {"entry": random_text(rng, short=True)},
                                  {"text": random_text(rng), "entry": None}])).encode()


def feedback_bodies(rng: random.Random) -> bytes:
    return json.dumps({"entry": random_text(rng, short=True), "helpful": rng.random() < 0.5,
                       "question": random_text(rng)}).encode()


WEB_ROUTES = [
    Route(method="POST", path="/api/chat", bodies=chat_bodies),
    Route(method="POST", path="/api/feedback", bodies=feedback_bodies),
    Route(method="GET", path="/"),
    Route(method="GET", path="/static/chat.js"),
    Route(method="GET", path="/static/..%2fweb.py"),
    Route(method="GET", path="/healthz"),
    Route(method="GET", path="/readyz"),
    Route(method="GET", path="/metrics"),
]


async def test_random_requests_to_every_web_route_never_get_a_5xx_or_hang(client):
    report = await fuzz(base_url=str(client.make_url("")).rstrip("/"), routes=WEB_ROUTES, count=400)
    assert report.sent == 400
    assert not report.failures, "\n".join(map(str, report.failures[:20]))
    assert sum(n for status, n in report.statuses.items() if 400 <= status < 500) > 100
    assert report.statuses.get(200, 0) > 20  # the fuzzer also reaches the handlers' happy paths


async def test_malformed_http_gets_a_4xx(client):
    for request, status_line in await raw_requests(host=client.host, port=client.port):
        if request.endswith(b'{"te'):  # the client hung up mid-body: closing is the answer
            assert status_line == b"" or status_line[9:10] == b"4"
            continue
        assert status_line[:8] in (b"HTTP/1.0", b"HTTP/1.1"), (request, status_line)
        assert status_line[9:10] == b"4", (request, status_line)


async def test_a_huge_principle_number_is_a_reply_not_an_error(client):
    response = await client.post("/api/chat", json={"text": "principle " + "9" * 5000})
    assert response.status == 200
    assert (await response.json())["kind"] in ("notice", "not_found", "suggestions")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_an_undecodable_body_is_a_400_logged_as_one_warning_line(client, caplog, encoding):
    with caplog.at_level(logging.INFO):
        response = await client.post("/api/chat", data=b'{"text": "hi"}', headers={
            "Content-Type": "application/json", "Content-Encoding": encoding})
    assert response.status == 400
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in server)

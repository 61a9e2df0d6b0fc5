"""Requests that did not come from Slack get a 4xx, never a 500, and never reach a listener."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from tests.adapters.slack.harness import SECRET, payload, signed_headers


def raw_signed_headers(body: bytes) -> dict:
    """Signed over raw bytes, as an attacker with the secret could; slack_sdk insists on UTF-8."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


async def assert_nothing_ran(harness) -> None:
    """A genuine event sent afterwards is the only thing answered."""
    await harness.event(payload("message_im"))
    await harness.fake.wait_for("chat.postMessage")
    posts = harness.fake.called("chat.postMessage")
    assert [call.params["channel"] for call in posts] == ["D0DIRECT"]
    assert harness.fake.called("response_url") == []
    assert harness.store.feedback == []


def mention() -> bytes:
    return json.dumps(payload("app_mention")).encode()


async def post(harness, body: bytes, headers: dict, content_type: str = "application/json"):
    return await harness.send(body, content_type=content_type, headers=headers, sign=False)


async def test_a_bad_signature_is_401(harness):
    body = mention()
    headers = signed_headers(body, secret="not-the-signing-secret")
    response = await post(harness, body, headers)
    assert response.status == 401
    await assert_nothing_ran(harness)


async def test_a_signature_of_another_body_is_401(harness):
    headers = signed_headers(b"{}")
    response = await post(harness, mention(), headers)
    assert response.status == 401
    await assert_nothing_ran(harness)


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp", "both"])
async def test_missing_signature_headers_are_401(harness, missing):
    body = mention()
    headers = signed_headers(body)
    for name in (headers.copy() if missing == "both" else [missing]):
        del headers[name]
    response = await post(harness, body, headers)
    assert response.status == 401
    await assert_nothing_ran(harness)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
async def test_a_timestamp_more_than_five_minutes_off_is_401(harness, offset):
    body = mention()
    response = await post(harness, body, signed_headers(body, timestamp=str(int(time.time()) + offset)))
    assert response.status == 401
    await assert_nothing_ran(harness)


@pytest.mark.parametrize("timestamp", ["yesterday", "1e9", "-5", "١٢٣", "1700000000.5"])
async def test_a_non_numeric_timestamp_is_400(harness, timestamp):
    body = mention()
    response = await post(harness, body, signed_headers(body, timestamp=timestamp))
    assert response.status == 400
    await assert_nothing_ran(harness)


async def test_a_replayed_request_is_401_and_answered_once(harness):
    body = json.dumps(payload("message_im")).encode()
    headers = signed_headers(body)
    assert (await post(harness, body, headers)).status == 200
    await harness.fake.wait_for("chat.postMessage")
    assert (await post(harness, body, headers)).status == 401
    other = payload("app_mention")
    await harness.event(other)
    await harness.fake.wait_for("chat.postMessage", count=2)
    assert [c.params["channel"] for c in harness.fake.called("chat.postMessage")] == [
        "D0DIRECT", "C0CHANNEL"]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b""])
async def test_an_unsigned_malformed_body_is_401(harness, body):
    response = await post(harness, body, {})
    assert response.status == 401
    await assert_nothing_ran(harness)


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
])
async def test_a_signed_malformed_body_is_400(harness, body, content_type):
    response = await post(harness, body, raw_signed_headers(body), content_type)
    assert response.status == 400
    await assert_nothing_ran(harness)


async def test_an_oversized_body_is_413(harness):
    body = b'{"type": "event_callback", "pad": "' + b"x" * 300_000 + b'"}'
    response = await post(harness, body, signed_headers(body))
    assert response.status == 413
    await assert_nothing_ran(harness)


async def test_an_oversized_chunked_body_without_a_length_is_413(harness):
    body = b'{"type": "event_callback", "pad": "' + b"x" * 300_000 + b'"}'

    async def chunks():
        for start in range(0, len(body), 16_384):
            yield body[start:start + 16_384]

    headers = {"Content-Type": "application/json", **signed_headers(body)}
    response = await harness.client.post("/slack/events", data=chunks(), headers=headers)
    assert response.status == 413
    await assert_nothing_ran(harness)


@pytest.mark.parametrize("body", [
    {"type": "event_callback", "event": "x"},
    {"type": "event_callback", "event": [1]},
    {"type": "event_callback", "event": {"type": 5}},
    {"type": "block_actions", "actions": "x"},
    {"type": "block_actions", "actions": ["x"]},
    {"type": "block_actions", "actions": [{}]},
    {"type": "view_submission", "view": "x"},
    {"type": "view_submission", "view": {"id": "V1", "callback_id": "x"}},
    {"type": "view_submission", "view": {"callback_id": "x", "type": 5}},
    {"type": "workflow_step_edit", "callback_id": "x"},
    {"type": "event_callback", "team_id": {"a": 1}, "event": {"type": "app_mention"}},
    {"type": "event_callback", "authorizations": "x", "event": {}},
    {"type": ["event_callback"]},
])
async def test_a_signed_body_of_the_wrong_shape_is_400(harness, body):
    raw = json.dumps(body).encode()
    response = await post(harness, raw, signed_headers(raw))
    assert response.status == 400
    await assert_nothing_ran(harness)


@pytest.mark.parametrize("body", [
    {"type": "event_callback", "event": {"type": "app_mention"}},
    {"type": "event_callback", "event_id": "Ev9", "event": {}},
    {"type": "block_actions", "actions": [{"action_id": "guidance_share"}]},
    {},
])
async def test_a_signed_but_incomplete_payload_is_acknowledged_and_ignored(harness, body):
    raw = json.dumps(body).encode()
    response = await post(harness, raw, signed_headers(raw))
    assert 200 <= response.status < 500
    await assert_nothing_ran(harness)

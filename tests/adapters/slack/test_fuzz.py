"""Random requests to `POST /slack/events`, unsigned and correctly signed: never a 5xx, never a hang.

Signed bodies get past the signature check, so the fuzzer reaches the payload checks, bolt and
the listeners; answers go to the fake Slack, so nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.harness import SECRET, payload
from tests.fuzzhttp import Route, fuzz, json_value, random_text

EVENT_TYPES = ("app_mention", "message", "app_home_opened", "reaction_added", "", None, 7)
BODY_TYPES = ("event_callback", "url_verification", "block_actions", "view_submission",
              "shortcut", "app_rate_limited", "", None, [], {})


def _event(rng: random.Random) -> dict:
    envelope = payload(rng.choice(["app_mention", "message_im", "app_home_opened"]))
    envelope["event_id"] = f"Ev{rng.getrandbits(48):X}"
    event = envelope["event"]
    event["text"] = random_text(rng)
    for _ in range(rng.randrange(3)):
        name = rng.choice(["type", "user", "channel", "ts", "thread_ts", "subtype", "bot_id",
                           "channel_type", "tab", "blocks", "files"])
        event[name] = rng.choice(EVENT_TYPES) if name == "type" else json_value(rng)
    if rng.random() < 0.3:
        envelope[rng.choice(["type", "authorizations", "team_id", "event", "api_app_id"])] = (
            rng.choice(BODY_TYPES) if rng.random() < 0.5 else json_value(rng))
    return envelope


def _form(rng: random.Random) -> dict:
    if rng.random() < 0.5:
        fields = payload("slash_command")
        fields["text"] = random_text(rng)
        if rng.random() < 0.3:
            fields[rng.choice(["command", "user_id", "response_url", "channel_id"])] = random_text(
                rng, short=True)
        return fields
    interaction = payload("block_actions")
    if rng.random() < 0.5:
        interaction["actions"] = json_value(rng) if rng.random() < 0.5 else [
            {"action_id": random_text(rng, short=True), "value": random_text(rng)}]
    if rng.random() < 0.3:
        interaction[rng.choice(["type", "user", "channel", "container"])] = json_value(rng)
    return {"payload": json.dumps(interaction) if rng.random() < 0.8 else random_text(rng)}


def slack_bodies(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind < 3:
        return json.dumps(_event(rng)).encode()
    if kind == 3:
        return urlencode(_form(rng)).encode()
    if kind == 4:
        return json.dumps({"type": rng.choice(BODY_TYPES), "challenge": json_value(rng),
                           "token": json_value(rng)}).encode()
    return json.dumps(json_value(rng)).encode()


def sign(body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """A valid v0 signature over the raw bytes, UTF-8 or not, and Slack's retry headers (drawn from
    the body, so a run repeats)."""
    rng = random.Random(hashlib.sha256(body).digest())
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    added = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}
    if rng.random() < 0.3:
        added["X-Slack-Retry-Num"] = rng.choice(["1", "2", "3", "0", "-1", "x", "", "9" * 40])
        added["X-Slack-Retry-Reason"] = rng.choice(["http_timeout", "http_error", "", "\u00e9"])
    if "Content-Type" not in headers or rng.random() < 0.7:
        added["Content-Type"] = rng.choice(["application/json", "application/x-www-form-urlencoded"])
    return added


SLACK_ROUTES = [Route(method="POST", path="/slack/events", bodies=slack_bodies, sign=sign)]


async def test_random_requests_to_slack_events_never_get_a_5xx_or_hang(harness):
    base_url = str(harness.client.make_url("")).rstrip("/")
    report = await fuzz(base_url=base_url, routes=SLACK_ROUTES, count=400, seed=11)
    assert report.sent == 400
    assert not report.failures, "\n".join(map(str, report.failures[:20]))
    assert sum(n for status, n in report.statuses.items() if 400 <= status < 500) > 100
    # signed bodies got past the signature into bolt, and some of them were answered
    assert report.statuses.get(200, 0) >= 10
    await harness.fake.wait_until(lambda: any(
        call.method in ("chat.postMessage", "chat.postEphemeral", "response_url")
        for call in harness.fake.calls))


@pytest.mark.parametrize(("body", "content_type"), [
    (b"[" * 1000, "application/json"),
    (b"payload=" + b"%5B" * 1000, "application/x-www-form-urlencoded"),
    (b'{"a": ' * 1000 + b"1" + b"}" * 1000, "application/json"),
])
async def test_a_signed_body_nested_too_deep_to_parse_is_a_400(harness, body, content_type):
    response = await harness.send(body, content_type=content_type)
    assert response.status == 400

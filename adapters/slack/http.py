"""`POST /slack/events`: bolt's request handling behind a door that answers bad input with 4xx.

Bolt verifies signatures itself, but a non-numeric timestamp or an unparsable body makes it
answer 500, and it accepts a replayed request for five minutes. Those are checked here, with
slack_sdk's own `SignatureVerifier`, before bolt sees anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from adapters.web.chat import json_error, read_body
from bot.storage.events import EventLog, first_delivery_or_new

log = logging.getLogger("guidance_bot.slack")

MAX_BODY_BYTES = 256 * 1024
# Slack wants its acknowledgement within 3 s, and two claims come before it (this request's
# signature, then its event id): each may wait this long for the store, then counts as new.
ACK_STORE_SECONDS = 1.0


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


_TEXT_FIELDS = ("type", "token", "team_id", "api_app_id", "enterprise_id", "event_id", "user_id",
                "channel_id", "command", "text", "response_url", "trigger_id")
_OBJECT_FIELDS = ("event", "team", "user", "channel", "enterprise", "container", "message", "view")


def payload_problem(body: dict) -> str | None:
    """What makes a signed body unusable, checked before bolt, which would fail on it with a 500."""
    for name in _TEXT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"'{name}' must be a string"
    for name in _OBJECT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"'{name}' must be an object"
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "an event_callback needs an 'event' object"
    event = body.get("event") or {}
    if event.get("type") is not None and not isinstance(event["type"], str):
        return "'event.type' must be a string"
    actions = body.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(
            isinstance(action, dict) and isinstance(action.get("action_id"), str)
            for action in actions)):
        return "'actions' must be a list of objects with an 'action_id'"
    view = body.get("view") or {}
    if body.get("type") == "view_submission" and "callback_id" in view and not isinstance(
            view.get("type"), str):
        return "'view.type' must be a string"  # bolt reads it on every view_submission
    if body.get("type") == "workflow_step_edit" and "callback_id" in body and not isinstance(
            body.get("workflow_step"), dict):
        return "a workflow_step_edit needs a 'workflow_step' object"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (isinstance(authorizations, list) and all(
            isinstance(item, dict) for item in authorizations)):
        return "'authorizations' must be a list of objects"
    return None


class SlackEvents:
    def __init__(self, *, bolt: AsyncApp, signing_secret: str, store: EventLog,
                 clock: Callable[[], float] = time.time) -> None:
        self.bolt = bolt
        self.store = store
        self.verifier = SignatureVerifier(signing_secret=signing_secret, clock=_Clock(clock))

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/slack/events", self.handle)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await read_body(request, limit=MAX_BODY_BYTES)
        if body is None:
            return json_error(413, "body too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp or not signature:
            return json_error(401, "missing Slack signature headers")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return json_error(400, "X-Slack-Request-Timestamp must be a number")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return json_error(400, "body must be UTF-8")
        if not self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            log.warning("slack: rejected a request with an invalid or expired signature")
            return json_error(401, "invalid signature")
        if not await first_delivery_or_new(self.store, key=f"slack:signature:{signature}",
                                           timeout=ACK_STORE_SECONDS):
            if request.headers.get("X-Slack-Retry-Num"):
                # Slack resending a request it already signed: acknowledged, never run twice.
                return web.Response(status=200)
            log.warning("slack: rejected a replayed request")
            return json_error(401, "replayed request")
        try:
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
            return json_error(400, "body is not a Slack payload")  # RecursionError: '[' * 1000
        if not isinstance(bolt_request.body, dict):
            return json_error(400, "body is not a Slack payload")
        problem = payload_problem(bolt_request.body)
        if problem:
            return json_error(400, problem)
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        if bolt_response.status == 404 and bolt_request.body.get("type") == "event_callback":
            # Slack retries a 404; an event nobody listens for is acknowledged instead.
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)

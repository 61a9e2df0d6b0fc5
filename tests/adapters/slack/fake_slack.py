"""A local stand-in for Slack: the Web API, response URLs and the Socket Mode WebSocket.

It answers the way Slack does (JSON with `ok`, 429 with `Retry-After`) and records every call,
so tests assert on what the bot actually sent over HTTP.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass(frozen=True, kw_only=True)
class Call:
    method: str  # "chat.postMessage", or "response_url" for a POST to a response URL
    params: dict
    headers: dict = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.acks: list[dict] = []
        self.latency = 0.0  # seconds each Web API call takes to answer
        self.peers: set = set()  # client addresses of Web API calls: one means one kept-alive connection
        self._changed = asyncio.Condition()
        self._rate_limits: dict[str, list[int]] = {}
        self._errors: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ts = 1700000000
        self.not_member: set[str] = set()  # channels the bot was never invited to
        app = web.Application()
        app.router.add_post("/api/{method}", self.api)
        app.router.add_get("/api/{method}", self.api)  # slack_sdk reads some methods with GET
        app.router.add_post("/response/{id}", self.response_url)
        app.router.add_get("/socket", self.socket)
        self.server = TestServer(app, host="127.0.0.1", port=0)

    async def start(self) -> None:
        await self.server.start_server()

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        await self.server.close()

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url_for(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    # Behaviour a test can ask for

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        self._rate_limits[method] = [retry_after] * times

    def fail(self, method: str, *, error: str) -> None:
        self._errors[method] = error

    # Observations

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, *, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """The first `count` calls of `method`, once they have arrived. The bound only stops a broken
        test from hanging: a reload re-embeds the knowledge base, which takes seconds on a busy machine."""
        await self.wait_until(lambda: len(self.called(method)) >= count, timeout=timeout)
        return self.called(method)[:count]

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # Handlers

    async def _params(self, request: web.Request) -> dict:
        raw = await request.text()
        params: dict = dict(request.query)
        if request.content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw))
        return params

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        await asyncio.sleep(self.latency)
        params = await self._params(request)
        headers = {"Authorization": request.headers.get("Authorization", "")}
        await self._record(Call(method=method, params=params, headers=headers))
        pending = self._rate_limits.get(method)
        if pending:
            retry_after = pending.pop(0)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(retry_after)})
        if method in self._errors:
            return web.json_response({"ok": False, "error": self._errors[method]})
        self._ts += 1
        ts = f"{self._ts}.000100"
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://example.slack.com/",
                                      "team": "Example", "user": "guidance_bot",
                                      "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID})
        if method == "conversations.info":
            channel = params.get("channel", "")
            return web.json_response({"ok": True, "channel": {
                "id": channel, "is_channel": True, "is_archived": False,
                "is_member": channel not in self.not_member}})
        if method == "chat.postMessage" and params.get("channel") in self.not_member:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": params.get("channel"), "ts": ts,
                                      "message": {"text": params.get("text"), "ts": ts}})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": ts})
        if method == "views.publish":
            return web.json_response({"ok": True, "view": {"id": "V1", **params.get("view", {})}})
        if method == "apps.connections.open":
            url = str(self.server.make_url("/socket")).replace("http://", "ws://")
            return web.json_response({"ok": True, "url": url})
        return web.json_response({"ok": False, "error": "unknown_method"}, status=404)

    async def response_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._record(Call(method="response_url", params={"id": request.match_info["id"],
                                                               **params}))
        return web.Response(text="ok")

    # Socket Mode

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A1"}})
        await self._record(Call(method="socket.connected", params={}))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    data = json.loads(message.data)
                    self.acks.append(data)
                    await self._record(Call(method="socket.ack", params=data))
        finally:
            self._sockets.remove(ws)
        return ws

    async def push(self, envelope: dict) -> None:
        """Send one Socket Mode envelope to every connected client."""
        for ws in self._sockets:
            await ws.send_json(envelope)

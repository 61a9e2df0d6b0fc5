"""The local web chat: a small page at `/` and its JSON API at `/api/chat`.

This is what runs with no Slack or Teams credentials, so a newcomer can talk to the bot at once.
"""

from __future__ import annotations

import hmac
import json
import math
from importlib import resources

from aiohttp import web

from bot.conversation.core import Core
from bot.conversation.ratelimit import RateLimiter
from bot.messages import Message

MAX_BODY_BYTES = 16 * 1024
_STATIC = resources.files("adapters.web") / "static"
_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript",
          ".svg": "image/svg+xml"}
# The page loads nothing from elsewhere and runs no inline script: say so, so a browser enforces it.
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; "
                                       "frame-ancestors 'none'; object-src 'none'"}


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def read_body(request: web.Request, *, limit: int) -> bytes | None:
    """The whole body, or None past `limit` bytes (a single read may return only part of it)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while len(body) <= limit:
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
    return None


async def read_json_object(request: web.Request, *, limit: int = MAX_BODY_BYTES) -> dict:
    """The request body as a JSON object, or an HTTP error that says what is wrong with it.

    Only `application/json`: a browser sends that cross-site only after a preflight this app never
    grants, so another website cannot post here from a visitor's browser (it can with text/plain).
    """
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps({"error": "content type must be application/json"}),
            content_type="application/json")
    body = await read_body(request, limit=limit)
    if body is None:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length or limit + 1,
                                            text=json.dumps({"error": "body too large"}),
                                            content_type="application/json")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # '[' * 1000 is too deep
        data = None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "body must be a JSON object"}),
                                 content_type="application/json")
    return data


class WebChat:
    def __init__(self, *, core: Core, admin_token: str | None,
                 limiter: RateLimiter | None = None) -> None:
        self.core = core
        self.admin_token = admin_token
        self.limiter = limiter or RateLimiter(per_minute=0)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.page),
            web.get("/static/{name}", self.static),
            web.post("/api/chat", self.chat),
            web.post("/api/feedback", self.feedback),
        ]

    def _is_admin(self, request: web.Request) -> bool:
        if not self.admin_token:
            return False
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        # aiohttp decodes header bytes that are not UTF-8 as surrogates; they match no token.
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8", "surrogateescape"), self.admin_token.encode())

    async def page(self, request: web.Request) -> web.Response:
        return self._file("index.html")

    async def static(self, request: web.Request) -> web.Response:
        return self._file(request.match_info["name"])

    def _file(self, name: str) -> web.Response:
        suffix = name[name.rfind("."):] if "." in name else ""
        resource = _STATIC / name
        if "/" in name or len(name.encode("utf-8", "surrogateescape")) > 255 or (
                suffix not in _TYPES) or not resource.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=resource.read_bytes(), content_type=_TYPES[suffix],
                            charset="utf-8", headers=_HEADERS)

    def _limit(self, request: web.Request, *, admin: bool) -> None:
        """Anyone may ask, so each client address is held to `WEB_RATE_LIMIT` a minute (the
        admin, who holds the token, is not): one script cannot fill the question log."""
        wait = 0.0 if admin else self.limiter.take(request.remote or "unknown")
        if wait:
            raise web.HTTPTooManyRequests(
                text=json.dumps({"error": "too many requests; try again shortly"}),
                content_type="application/json",
                headers={"Retry-After": str(max(1, math.ceil(wait)))})

    async def chat(self, request: web.Request) -> web.Response:
        admin = self._is_admin(request)
        self._limit(request, admin=admin)
        data = await read_json_object(request)
        entry = data.get("entry")
        if entry is not None:
            if not isinstance(entry, str):
                return json_error(400, "'entry' must be a string")
            return web.json_response(self.core.answer_entry(entry_id=entry).to_json())
        text = data.get("text")
        if not isinstance(text, str):
            return json_error(400, "'text' must be a string")
        message = Message(platform="web", user_id="web", text=text, authenticated_admin=admin)
        reply = await self.core.handle(message)
        return web.json_response(reply.to_json())

    async def feedback(self, request: web.Request) -> web.Response:
        self._limit(request, admin=self._is_admin(request))
        data = await read_json_object(request)
        entry, helpful = data.get("entry"), data.get("helpful")
        if not isinstance(entry, str) or not isinstance(helpful, bool):
            return json_error(400, "expected {\"entry\": string, \"helpful\": true or false}")
        if self.core.knowledge.entry(entry) is None:
            return json_error(400, "'entry' is not an entry of the knowledge base")
        question = data.get("question") if isinstance(data.get("question"), str) else None
        reply = await self.core.feedback(platform="web", entry=entry, helpful=helpful,
                                         question=question)
        if not reply.ok:  # the store is down: the page shows why, and the vote can be sent again
            return web.json_response({"ok": False, "error": "storage unavailable",
                                      "text": reply.text}, status=503)
        return web.json_response({"ok": True, "text": reply.text})

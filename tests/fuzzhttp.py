"""A bounded HTTP fuzzer for any aiohttp route: random methods, paths, headers, bodies and sizes.

Reusable across adapters: describe each route as a `Route` (with `bodies` for payloads shaped like
the real ones, and `sign` for routes that check a signature, so some fuzzed requests get past it)
and call `fuzz`. It returns every response that was a 5xx, a hang or a dropped connection, so a
test asserts the list is empty and prints what went wrong when it is not.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

Bodies = Callable[[random.Random], bytes]
Sign = Callable[[bytes, dict[str, str]], dict[str, str]]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND")
CONTENT_TYPES = (None, "application/json", "application/json; charset=latin-1", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "multipart/form-data", "application/octet-stream", "text/html; charset=utf-16",
                 "application/json; charset=nonsense", "", "*/*", "a/b/c; ;=;")
PATH_TAILS = ("", "/", "//", "/..", "/%2e%2e/app.py", "?a=1&a=2", "?%ff=%fe", "?" + "q" * 3000,
              "/x" * 50, "%00", "/%c0%ae%c0%ae/", ";jsessionid=1", "#frag", "/\u00e9t\u00e9")
HOSTILE_TEXT = ("principle " + "9" * 5000, "\x00" * 3000, "\u202e" * 500, "💥" * 3000,
                "<script>alert(1)</script>", "<!channel> <@U1> @here", "reload", "status",
                "principle 3", "help", "", " ", "\ud800".encode("utf-8", "surrogatepass").decode(
                    "utf-8", "replace"))


@dataclass(frozen=True, kw_only=True)
class Route:
    method: str
    path: str
    bodies: Bodies | None = None
    sign: Sign | None = None  # adds valid credentials for the body, e.g. a Slack signature


@dataclass(frozen=True, kw_only=True)
class Outcome:
    method: str
    path: str
    status: int | None
    problem: str
    body_size: int
    headers: dict[str, str]


@dataclass(kw_only=True)
class Report:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[Outcome] = field(default_factory=list)


def json_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**64, 1e308, -0.0, 3])
    if kind in (3, 4, 5):
        return random_text(rng)
    if kind in (6, 7):
        return {random_text(rng, short=True): json_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [json_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def random_text(rng: random.Random, *, short: bool = False) -> str:
    if rng.random() < 0.3:
        return rng.choice(HOSTILE_TEXT)
    size = rng.choice([0, 1, 5, 40] if short else [0, 1, 10, 200, 5000, 20000])
    return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x2FFFF)]))
                   for _ in range(size)).encode("utf-8", "replace").decode("utf-8", "replace")


def random_body(rng: random.Random, route: Route) -> bytes:
    choice = rng.randrange(10)
    if choice < 3 and route.bodies is not None:
        return route.bodies(rng)
    if choice == 3:
        return b""
    if choice == 4:
        return rng.randbytes(rng.choice([1, 100, 5000, 70_000]))
    if choice == 5:
        return b"[" * rng.choice([10, 1000, 100_000])
    if choice == 6:
        return json.dumps(json_value(rng)).encode()
    if choice == 7:
        return b"\xff\xfe" + json.dumps({"text": random_text(rng)}).encode("utf-16-le")
    if choice == 8:
        return b"{" + b'"text": "x", ' * rng.choice([10, 50_000]) + b'"text": 1}'
    return json.dumps({"text": random_text(rng), "entry": json_value(rng),
                       "helpful": json_value(rng)}).encode()


def random_headers(rng: random.Random) -> dict[str, str]:
    headers: dict[str, str] = {}
    content_type = rng.choice(CONTENT_TYPES)
    if content_type is not None:
        headers["Content-Type"] = content_type
    printable = string.ascii_letters + string.digits + string.punctuation + " "
    for _ in range(rng.randrange(4)):
        name = rng.choice(["X-Request-Id", "Authorization", "Accept", "Accept-Encoding", "Cookie",
                           "X-Forwarded-For", "Origin", "Range", "If-None-Match", "X-Custom"])
        headers[name] = "".join(rng.choice(printable) for _ in range(rng.choice([0, 5, 100, 4000])))
    if rng.random() < 0.05:
        headers["Content-Encoding"] = rng.choice(["gzip", "deflate", "br", "identity", "bogus"])
    if rng.random() < 0.1:
        headers["Authorization"] = rng.choice(["Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "bearer"])
    return headers


async def _one(session: aiohttp.ClientSession, base_url: str, route: Route, rng: random.Random,
               report: Report) -> None:
    method = route.method if rng.random() < 0.75 else rng.choice(METHODS)
    path = route.path + (rng.choice(PATH_TAILS) if rng.random() < 0.2 else "")
    body = random_body(rng, route) if method not in ("GET", "HEAD") or rng.random() < 0.2 else b""
    headers = random_headers(rng)
    if route.sign is not None and rng.random() < 0.5:
        headers.update(route.sign(body, headers))
    chunked = rng.random() < 0.1 and bool(body)

    async def chunks():
        for start in range(0, len(body), 4096):
            yield body[start:start + 4096]

    outcome = None
    try:
        async with session.request(method, base_url + path, data=chunks() if chunked else body,
                                   headers=headers, allow_redirects=False,
                                   skip_auto_headers=("Content-Type",)) as response:
            await response.read()
            report.statuses[response.status] = report.statuses.get(response.status, 0) + 1
            if response.status >= 500:
                outcome = (response.status, "5xx")
    except TimeoutError:
        outcome = (None, "no response within the timeout (a hang)")
    except aiohttp.ClientResponseError as error:
        # e.g. a HEAD answered 400 with a body, which the client refuses to read: still a 4xx
        if error.status >= 500:
            outcome = (error.status, f"5xx: {error.message}")
    except aiohttp.ClientError as error:
        # the server may close a connection that sends more than it accepts; anything else is a bug
        if len(body) <= 1024 * 1024:
            outcome = (None, f"{type(error).__name__}: {error}")
    report.sent += 1
    if outcome is not None:
        report.failures.append(Outcome(method=method, path=path[:200], status=outcome[0],
                                       problem=outcome[1], body_size=len(body),
                                       headers={k: v[:80] for k, v in headers.items()}))


async def fuzz(*, base_url: str, routes: list[Route], count: int = 300, seed: int = 7,
               concurrency: int = 8, timeout: float = 20.0) -> Report:
    """Send `count` random requests spread over `routes`; the same seed sends the same requests."""
    rng = random.Random(seed)
    plan = [(rng.choice(routes), random.Random(rng.random())) for _ in range(count)]
    report = Report()
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    # a fresh connection per request: a server closing a connection after an error response is
    # correct, and a pooled client reusing it would report a false "disconnected"
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as session:

        async def worker():
            while not queue.empty():
                route, request_rng = queue.get_nowait()
                await _one(session, base_url, route, request_rng, report)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return report


async def raw_requests(*, host: str, port: int, timeout: float = 10.0) -> list[tuple[bytes, bytes]]:
    """Malformed HTTP no client library would send; returns (request, status line) pairs."""
    requests = [
        b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: -1\r\n\r\n", b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 10"
        b"\r\nContent-Length: 20\r\n\r\n{}", b"POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:"
        b" chunked\r\n\r\nzz\r\n", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 20000 + b"\r\n\r\n",
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"te",
        b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding:"
        b" chunked\r\n\r\n5\r\n{\"tex\r\n0\r\n\r\n",
    ]
    results = []
    for request in requests:  # a body cut short by the client may get no answer at all: b""
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            await writer.drain()
            if request.endswith(b'{"te'):
                writer.write_eof()  # the body ends early
            line = await asyncio.wait_for(reader.readline(), timeout)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass
        results.append((request[:60], line))
    return results

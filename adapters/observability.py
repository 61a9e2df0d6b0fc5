"""Operations endpoints and cross-cutting request handling for the one aiohttp application.

`setup_observability(app, core=...)` adds, for every route of every adapter (web chat, Slack,
Teams, whatever is added later), a request id on each log line and response, one log line per
request, Prometheus counters by the route's canonical path and status code, and a refusal of new
work once shutdown has begun (`stop_accepting`, registered by the composition root); it serves
`GET /readyz` and `GET /metrics`. The core only reports events
(`bot.observe`); everything Prometheus lives here, on a registry per application so several apps
(and tests) never share counters.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import perf_counter

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.aiohttp import make_aiohttp_handler
from prometheus_client.core import InfoMetricFamily

from bot.conversation.core import Core
from bot.logs import request_id, sane_request_id
from bot.observe import Event, Handled, Reloaded, ReminderOutcome

log = logging.getLogger("guidance_bot.http")

REQUEST_ID_HEADER = "X-Request-Id"
STORE_PING_TIMEOUT = 2.0
UNMATCHED = "unmatched"  # the route label of a request no route matched: never the raw path
CLIENT_WENT_AWAY = 499  # nginx's status for a client that closed the connection first
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _KnowledgeVersion:
    """Read at scrape time, so a reload shows without anyone updating a gauge."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def collect(self):
        info = InfoMetricFamily("guidance_bot_knowledge", "The knowledge-base version being served.")
        knowledge = self.core.knowledge
        info.add_metric([], {"version": knowledge.version, "entries": str(len(knowledge.entries))})
        yield info


class Metrics:
    """Every counter the bot exports; `observe` is the core's observer."""

    def __init__(self, *, registry: CollectorRegistry | None = None, process: bool = True) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter("guidance_bot_http_requests",
                                "HTTP requests by method, route and status code.",
                                ["method", "route", "code"], registry=self.registry)
        self.answers = Counter("guidance_bot_answers", "Replies to messages by outcome and principle.",
                               ["platform", "outcome", "principle"], registry=self.registry)
        self.matching = Histogram("guidance_bot_matching_seconds",
                                  "Time to answer a message (admin commands excluded).",
                                  buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reloads = Counter("guidance_bot_reloads", "Knowledge-base reloads by outcome.",
                               ["outcome"], registry=self.registry)
        self.reminders = Counter("guidance_bot_reminders", "Reminders by outcome.",
                                 ["outcome", "platform"], registry=self.registry)
        if process:
            ProcessCollector(registry=self.registry)
        for outcome in ("ok", "refused"):
            self.reloads.labels(outcome=outcome)

    def observe(self, event: Event) -> None:
        if isinstance(event, Handled):
            self.answers.labels(platform=event.platform, outcome=str(event.kind),
                                principle=str(event.principle or "none")).inc()
            if not event.admin:
                self.matching.observe(event.seconds)
        elif isinstance(event, Reloaded):
            self.reloads.labels(outcome="ok" if event.ok else "refused").inc()
        elif isinstance(event, ReminderOutcome):
            self.reminders.labels(outcome=event.outcome, platform=event.platform or "none").inc()


@dataclass(kw_only=True)
class Lifecycle:
    accepting: bool = True


METRICS_KEY = web.AppKey("metrics", Metrics)
STATE_KEY = web.AppKey("lifecycle", Lifecycle)


def route_label(request: web.Request) -> str:
    """The route's canonical path ("/static/{name}"), so labels stay few whatever URLs arrive."""
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return UNMATCHED
    return info.route.resource.canonical


@web.middleware
async def request_context(request: web.Request, handler) -> web.StreamResponse:
    """Outermost: the request id, the log line, the count, and no new work once shutting down."""
    rid = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
    token = request_id.set(rid)
    started = perf_counter()
    status = 500
    try:
        if not request.app[STATE_KEY].accepting:
            raise web.HTTPServiceUnavailable(
                text='{"error": "shutting down"}', content_type="application/json",
                headers={"Retry-After": "5", "Connection": "close"})
        try:
            response = await handler(request)
        except (RequestPayloadError, HttpProcessingError) as error:
            # a body that cannot be decoded (bad gzip, broken chunks): the client's fault, not a 500
            raise web.HTTPBadRequest(text='{"error": "unreadable request body"}',
                                     content_type="application/json") from error
    except web.HTTPException as error:
        error.headers[REQUEST_ID_HEADER] = rid
        status = error.status
        raise
    except asyncio.CancelledError:
        if request.transport is None or request.transport.is_closing():
            status = CLIENT_WENT_AWAY  # aiohttp stops the handler; nothing failed on our side
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, route_label(request))
        raise
    else:
        status = response.status
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = rid
        return response
    finally:
        route = route_label(request)
        request.app[METRICS_KEY].requests.labels(method=request.method, route=route,
                                                 code=str(status)).inc()
        log.info("%s %s %s %.1fms", request.method, route, status,
                 (perf_counter() - started) * 1000)
        request_id.reset(token)


class ClientErrorFilter(logging.Filter):
    """aiohttp logs a malformed request or an undecodable body as an error with a traceback; it
    is the client's mistake, so it becomes one warning line (status and reason, no body)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None and not isinstance(error, HttpProcessingError | RequestPayloadError):
            error = error.__cause__ or error.__context__
        if error is None or getattr(error, "code", 400) >= 500:
            return True
        reason = " ".join(str(error).split())[:200]
        record.msg, record.args, record.exc_info, record.exc_text = (
            "bad request from a client: %s: %s", (type(error).__name__, reason), None, None)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_client_errors(logger: logging.Logger | None = None) -> None:
    logger = logger or logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientErrorFilter) for f in logger.filters):
        logger.addFilter(ClientErrorFilter())


def readiness(*, core: Core, store=None, timeout: float = STORE_PING_TIMEOUT):
    """`GET /readyz`: 200 when a knowledge base is loaded and the store can be written (its
    `health()`, else its `ping()`; a store with neither counts as fine), else 503 naming what
    failed."""

    async def readyz(request: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        knowledge = core.knowledge
        checks["knowledge"] = "ok" if knowledge.entries else "empty"
        checks["store"] = await _store_state(store if store is not None else core.store, timeout)
        if not request.app[STATE_KEY].accepting:
            checks["lifecycle"] = "shutting down"
        ready = all(value == "ok" for value in checks.values())
        return web.json_response({"status": "ready" if ready else "not ready",
                                  "knowledge_version": knowledge.version, "checks": checks},
                                 status=200 if ready else 503)

    return readyz


async def _store_state(store, timeout: float) -> str:
    health, ping = getattr(store, "health", None), getattr(store, "ping", None)
    try:
        if health is not None:
            state = await asyncio.wait_for(health(), timeout)
        elif ping is not None:
            await asyncio.wait_for(ping(), timeout)
            state = "ok"
        else:
            state = "ok"
    except Exception as error:  # any failure of the store means "not ready", not a 500
        log.warning("readiness: store unreachable: %s", type(error).__name__)
        return "unreachable"
    if state != "ok":
        log.warning("readiness: store %s", state)
    return state


async def stop_accepting(app: web.Application) -> None:
    """For `app.on_shutdown`: from here on, new requests get 503 while those in flight finish."""
    app[STATE_KEY].accepting = False
    log.info("shutting down: refusing new requests, finishing those in flight")


def setup_observability(app: web.Application, *, core: Core, metrics: Metrics, store=None,
                        ping_timeout: float = STORE_PING_TIMEOUT) -> None:
    """Call before other middlewares are added, so the request id covers all of them. `metrics`
    is one of `core`'s observers (the composition root gives it to both)."""
    app[METRICS_KEY] = collector = metrics
    collector.registry.register(_KnowledgeVersion(core))
    quiet_client_errors()
    app[STATE_KEY] = Lifecycle()
    app.middlewares.insert(0, request_context)
    app.router.add_get("/readyz", readiness(core=core, store=store, timeout=ping_timeout))
    # The library's own handler: the text format or OpenMetrics as the scraper's Accept asks,
    # gzip when its Accept-Encoding allows, `name[]` to pick families.
    app.router.add_get("/metrics", make_aiohttp_handler(collector.registry))

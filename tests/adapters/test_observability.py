from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import shutil
import subprocess

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from adapters.observability import REQUEST_ID_HEADER, Metrics, setup_observability
from app import ADMIN, CORE
from bot.knowledge.loader import load_knowledge
from bot.logs import JsonFormatter, RequestIdFilter
from bot.observe import ReminderOutcome
from bot.settings import Settings, SettingsError
from tests.cores import new_core
from tests.memory_store import MemoryStore


@pytest.fixture
def log_lines():
    """JSON log lines of the bot's loggers, as the production handler would write them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


async def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_sane_request_id_is_echoed_and_anything_else_is_replaced(client):
    echoed = await client.post("/api/chat", json={"text": "hello"}, headers={REQUEST_ID_HEADER: "abc-123"})
    assert echoed.headers[REQUEST_ID_HEADER] == "abc-123"
    for hostile in ("<script>alert(1)</script>", "x" * 65, "a b"):
        response = await client.get("/healthz", headers={REQUEST_ID_HEADER: hostile})
        assert response.headers[REQUEST_ID_HEADER] != hostile
        assert len(response.headers[REQUEST_ID_HEADER]) == 32
    first, second = await client.get("/healthz"), await client.get("/healthz")
    assert first.headers[REQUEST_ID_HEADER] != second.headers[REQUEST_ID_HEADER]


async def test_errors_carry_the_request_id_too(client):
    missing = await client.get("/no/such/page", headers={REQUEST_ID_HEADER: "r-404"})
    bad = await client.post("/api/chat", data=b"not json", headers={
        REQUEST_ID_HEADER: "r-400", "Content-Type": "application/json"})
    assert (missing.status, missing.headers[REQUEST_ID_HEADER]) == (404, "r-404")
    assert (bad.status, bad.headers[REQUEST_ID_HEADER]) == (400, "r-400")


async def test_every_line_logged_during_a_request_names_it_and_bodies_are_never_logged(
        app, client, log_lines):
    class Broken:
        def observe(self, event):
            raise RuntimeError("observer bug")

    app[CORE].observers += (Broken(),)
    response = await client.post("/api/chat", json={"text": "my password is hunter2-SECRET"},
                                 headers={REQUEST_ID_HEADER: "req-42",
                                          "Authorization": "Bearer admin-secret"})
    assert response.status == 200  # a broken observer never breaks a reply
    lines = [line for line in log_lines() if line["request_id"] == "req-42"]
    messages = [line["message"] for line in lines]
    assert any(m.startswith("observer") for m in messages)  # logged from inside the core
    assert "POST /api/chat 200" in " ".join(messages)
    everything = json.dumps(log_lines())
    assert "hunter2" not in everything and "admin-secret" not in everything


async def test_metrics_count_requests_by_canonical_route_and_status(client):
    for name in ("app.js", "nope-one.js", "nope-two.js"):
        await client.get(f"/static/{name}")
    await client.get("/random/path/9f8e7d")
    await client.post("/api/chat", data=b"[", headers={"Content-Type": "application/json"})
    samples = await scrape(client)
    static_404 = value(samples, "guidance_bot_http_requests_total",
                       method="GET", route="/static/{name}", code="404")
    assert static_404 >= 2
    assert value(samples, "guidance_bot_http_requests_total",
                 method="GET", route="unmatched", code="404") == 1
    assert value(samples, "guidance_bot_http_requests_total",
                 method="POST", route="/api/chat", code="400") == 1
    labels = {dict(key[1]).get("route") for key in samples}
    assert not any(label and ("nope" in label or "9f8e7d" in label) for label in labels)


OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"


async def test_metrics_speak_the_text_format_or_openmetrics_as_the_scraper_asks(client):
    await client.get("/healthz")
    text = await client.get("/metrics", headers={"Accept": "text/plain"})
    assert text.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(await text.text())}
    assert families["guidance_bot_http_requests"].type == "counter"

    # What Prometheus itself sends: OpenMetrics preferred, the text format as a fallback.
    scraper = ("application/openmetrics-text;version=1.0.0;q=0.5,"
               "text/plain;version=0.0.4;q=0.4,*/*;q=0.1")
    for accept in (OPENMETRICS, scraper):
        om = await client.get("/metrics", headers={"Accept": accept})
        assert om.headers["Content-Type"].startswith("application/openmetrics-text"), accept
        body = await om.text()
        assert body.endswith("# EOF\n")
        families = {f.name: f for f in openmetrics_families(body)}  # raises on anything malformed
        assert families["guidance_bot_http_requests"].type == "counter"
        assert families["guidance_bot_knowledge"].type == "info"


async def test_metrics_are_gzipped_when_the_scraper_accepts_it(app):
    async with TestClient(TestServer(app, host="127.0.0.1"), auto_decompress=False) as raw:
        plain = await raw.get("/metrics", headers={"Accept-Encoding": "identity"})
        plain_body = await plain.read()
        zipped = await raw.get("/metrics", headers={"Accept-Encoding": "gzip"})
        zipped_body = await zipped.read()
    assert "Content-Encoding" not in plain.headers
    assert plain_body.startswith(b"# HELP ")
    assert zipped.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(zipped_body).decode()
    assert "# HELP guidance_bot_http_requests_total" in body
    assert len(zipped_body) < len(plain_body)


async def test_the_http_status_label_is_code_as_prometheus_conventions_name_it(client):
    await client.get("/healthz")
    await client.get("/no/such/page")
    samples = [s for family in text_string_to_metric_families(await (await client.get("/metrics")).text())
               if family.name == "guidance_bot_http_requests" for s in family.samples
               if s.name.endswith("_total")]
    assert {tuple(sorted(s.labels)) for s in samples} == {("code", "method", "route")}
    assert {s.labels["code"] for s in samples} >= {"200", "404"}


@pytest.mark.skipif(shutil.which("promtool") is None,
                    reason="promtool not installed (Debian: apt-get install prometheus)")
async def test_promtool_finds_nothing_to_fix_in_the_metrics(client):
    await client.post("/api/chat", json={"text": "principle 3"})
    body = await (await client.get("/metrics", headers={"Accept": "text/plain"})).read()
    checked = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True,
                             timeout=60)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked


async def test_metrics_count_answers_by_outcome_and_principle_and_time_matching(client):
    await client.post("/api/chat", json={"text": "principle 3"})
    await client.post("/api/chat", json={"text": "principle 3"})
    await client.post("/api/chat", json={"text": "zzqx wibble"})
    await client.post("/api/chat", json={"text": "reload"})  # refused: not an admin
    samples = await scrape(client)
    assert value(samples, "guidance_bot_answers_total",
                 platform="web", outcome="answer", principle="3") == 2
    assert value(samples, "guidance_bot_answers_total",
                 platform="web", outcome="not_found", principle="none") == 1
    assert value(samples, "guidance_bot_answers_total",
                 platform="web", outcome="refusal", principle="none") == 1
    assert value(samples, "guidance_bot_matching_seconds_count") == 3  # admin commands excluded


async def test_reloads_are_counted_by_outcome_and_the_version_follows_the_reload(app, client, kb_path):
    reloader = app[ADMIN].reloader
    before = await scrape(client)
    (version,) = [dict(k[1])["version"] for k in before if k[0] == "guidance_bot_knowledge_info"]
    (kb_path / "broken.yaml").write_text("entries: [", encoding="utf-8")
    assert not (await reloader.reload()).ok
    (kb_path / "broken.yaml").unlink()
    (kb_path / "kb.yaml").write_text((kb_path / "kb.yaml").read_text() + "\n# edited\n")
    assert (await reloader.reload()).ok
    after = await scrape(client)
    assert value(after, "guidance_bot_reloads_total", outcome="refused") == 1
    assert value(after, "guidance_bot_reloads_total", outcome="ok") == 1
    (new_version,) = [dict(k[1])["version"] for k in after if k[0] == "guidance_bot_knowledge_info"]
    assert new_version == app[CORE].knowledge.version != version


async def test_reminder_outcomes_reported_to_the_core_are_counted(app, client):
    core = app[CORE]
    core.notify(ReminderOutcome(outcome="delivered", platform="slack"))
    core.notify(ReminderOutcome(outcome="delivered", platform="slack"))
    core.notify(ReminderOutcome(outcome="missed", platform="teams"))
    samples = await scrape(client)
    assert value(samples, "guidance_bot_reminders_total", outcome="delivered", platform="slack") == 2
    assert value(samples, "guidance_bot_reminders_total", outcome="missed", platform="teams") == 1


class PingStore:
    def __init__(self, *, fail: bool = False, hang: bool = False) -> None:
        self.fail, self.hang = fail, hang

    async def ping(self) -> None:
        if self.hang:
            await asyncio.Event().wait()
        if self.fail:
            raise ConnectionRefusedError("db down")


@pytest.mark.parametrize(("store", "status", "store_check"), [
    (None, 200, "ok"),
    (PingStore(), 200, "ok"),
    (PingStore(fail=True), 503, "unreachable"),
    (PingStore(hang=True), 503, "unreachable"),
])
async def test_readyz_reports_the_store(kb_path, store, status, store_check):
    metrics = Metrics()
    core = new_core(knowledge=load_knowledge(path=kb_path), observers=(metrics,))
    app = web.Application()
    setup_observability(app, core=core, metrics=metrics, store=store, ping_timeout=0.05)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/readyz")
        body = await response.json()
    assert response.status == status
    assert body["checks"]["store"] == store_check and body["checks"]["knowledge"] == "ok"
    assert body["knowledge_version"] == core.knowledge.version


async def test_two_applications_keep_separate_counters(settings):
    from app import create_app

    first = create_app(settings=settings, store=MemoryStore())
    second = create_app(settings=settings, store=MemoryStore())
    async with TestClient(TestServer(first, host="127.0.0.1")) as one, \
            TestClient(TestServer(second, host="127.0.0.1")) as two:
        await one.get("/healthz")
        await one.get("/healthz")
        await two.get("/healthz")
        counts = [value(await scrape(c), "guidance_bot_http_requests_total",
                        method="GET", route="/healthz", code="200") for c in (one, two)]
    assert counts == [2, 1]


async def test_once_shutdown_begins_new_requests_are_refused_and_not_ready(app, client):
    assert (await client.get("/readyz")).status == 200
    await app.on_shutdown.send(app)
    refused = await client.post("/api/chat", json={"text": "hello"})
    assert refused.status == 503 and refused.headers["Retry-After"] == "5"


def test_json_log_lines_stay_one_line_with_exceptions():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("two\nlines")
        except ValueError:
            logger.error("failed:\n%s", "detail", exc_info=True)
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "failed:\ndetail" and "ValueError: two\nlines" in record["exception"]
    assert record["request_id"] == "-"


def test_log_format_is_validated_with_the_other_settings(kb_path):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"KNOWLEDGE_PATH": str(kb_path), "LOG_FORMAT": "xml", "PORT": "x"})
    assert any(p.startswith("LOG_FORMAT") for p in error.value.problems)
    assert any(p.startswith("PORT") for p in error.value.problems)
    assert Settings.from_env({"KNOWLEDGE_PATH": str(kb_path), "LOG_FORMAT": "json"})


def test_aiohttp_client_errors_become_one_warning_line_and_server_errors_keep_their_traceback():
    from aiohttp.http_exceptions import BadHttpMessage

    from adapters.observability import ClientErrorFilter

    def record(error):
        try:
            raise error
        except Exception as raised:
            return logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1,
                                     "Error handling request", (), (type(raised), raised, None))

    bad = record(BadHttpMessage("Invalid header token:\n\n b'Bad Header'"))
    assert ClientErrorFilter().filter(bad)
    assert bad.levelno == logging.WARNING and bad.exc_info is None
    assert "\n" not in bad.getMessage() and "BadHttpMessage" in bad.getMessage()
    crash = record(RuntimeError("handler bug"))
    assert ClientErrorFilter().filter(crash)
    assert crash.levelno == logging.ERROR and crash.exc_info is not None


async def test_a_request_in_flight_at_shutdown_finishes_while_new_ones_are_refused(kb_path):
    from adapters.observability import STATE_KEY, stop_accepting

    metrics = Metrics()
    core = new_core(knowledge=load_knowledge(path=kb_path), observers=(metrics,))
    app = web.Application()
    setup_observability(app, core=core, metrics=metrics)
    app.on_shutdown.append(stop_accepting)  # as the composition root registers it
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(request):
        started.set()
        await release.wait()
        return web.json_response({"done": True})

    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    async with asyncio.timeout(30), aiohttp.ClientSession() as session:  # a bound, not a measure
        in_flight = asyncio.create_task(session.get(f"http://{host}:{port}/slow"))
        await started.wait()
        cleanup = asyncio.create_task(runner.cleanup())
        while app[STATE_KEY].accepting:
            await asyncio.sleep(0.01)
        release.set()
        response = await in_flight
        assert response.status == 200 and await response.json() == {"done": True}
        response.release()
        await cleanup

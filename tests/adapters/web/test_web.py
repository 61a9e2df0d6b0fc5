"""The web chat's HTTP surface through the real aiohttp application."""

from __future__ import annotations

import asyncio
import json
import re
from importlib import resources

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from adapters.web.chat import MAX_BODY_BYTES
from app import CORE, create_app
from bot.conversation.core import Arguments, Core
from bot.messages import Message, Reply, ReplyKind
from bot.settings import Settings
from tests.adapters.chat_questions import ANSWER_TEXT, ANSWERED, ambiguous_question
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

TOKEN = "s3cret-admin-token"
STATIC = resources.files("adapters.web") / "static"


def with_whoami(tmp_path, *, admin_token: str | None) -> web.Application:
    app = create_app(settings=Settings(knowledge_path=write_knowledge(tmp_path / "kb"),
                                       admin_token=admin_token), store=MemoryStore())

    async def whoami(message: Message, arguments: str) -> Reply:
        return Reply(kind=ReplyKind.NOTICE, title="Admin", body=f"admin ok: {arguments}")

    app[CORE].register_admin(name="whoami", summary="Say who is an admin.", run=whoami,
                             arguments=Arguments(usage="[anything]", accepts=lambda rest: True))
    return app


@pytest.fixture
def app(tmp_path) -> web.Application:
    return with_whoami(tmp_path, admin_token=TOKEN)


@pytest.fixture
def core(app) -> Core:
    return app[CORE]


@pytest.fixture
async def client(app):
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


JSON = {"Content-Type": "application/json"}


async def chat(client, body, *, headers=None, **kwargs) -> tuple[int, dict]:
    data = json.dumps(body) if isinstance(body, dict | list) else body
    async with client.post("/api/chat", data=data, headers={**JSON, **(headers or {})},
                           **kwargs) as response:
        return response.status, await response.json()


async def test_an_answer_has_the_public_json_shape(client):
    status, reply = await chat(client, {"text": ANSWERED})
    assert status == 200
    assert {"answered", "principle", "entry", "title", "text", "score", "suggestions"} <= reply.keys()
    assert reply["answered"] is True and reply["kind"] == "answer"
    assert (reply["principle"], reply["entry"]) == (3, "principle-3")
    assert reply["title"] == "Be transparent and accountable"
    assert ANSWER_TEXT in reply["text"]
    assert 0 <= reply["score"] <= 100 and reply["suggestions"] == []


async def test_an_unclear_question_gets_suggestions(client, core):
    question, suggested = await ambiguous_question(core)
    status, reply = await chat(client, {"text": question})
    assert status == 200 and reply["answered"] is False and reply["kind"] == "suggestions"
    assert reply["entry"] is None and reply["principle"] is None
    assert [s["entry"] for s in reply["suggestions"]] == suggested
    for suggestion in reply["suggestions"]:
        assert suggestion.keys() == {"entry", "principle", "title", "score"}
        assert 1 <= suggestion["principle"] <= 6


async def test_a_clicked_suggestion_answers_that_entry(client):
    status, reply = await chat(client, {"entry": "principle-4"})
    assert status == 200 and reply["answered"] is True
    assert (reply["entry"], reply["principle"]) == ("principle-4", 4)


async def test_an_unknown_entry_is_a_notice_not_an_error(client):
    status, reply = await chat(client, {"entry": "no-such-entry"})
    assert status == 200 and reply["answered"] is False and reply["kind"] == "notice"


async def test_an_unrelated_question_is_not_answered(client):
    status, reply = await chat(client, {"text": "zzz qqq"})
    assert status == 200 and reply["answered"] is False and reply["kind"] == "not_found"


@pytest.mark.parametrize("text", ["", "   ", "?!"])
async def test_empty_text_gets_help(client, text):
    status, reply = await chat(client, {"text": text})
    assert status == 200 and reply["kind"] == "notice" and reply["title"] == "How to use Guidance Bot"


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}", b"", b"{\"text\": \"a\"", b"NaN"])
async def test_malformed_json_is_a_400_json_error(client, body):
    status, reply = await chat(client, body, headers={"Content-Type": "application/json"})
    assert status == 400 and reply == {"error": "body must be a JSON object"}


@pytest.mark.parametrize("body", ["[]", "null", "\"text\"", "42", "[{\"text\": \"hi\"}]"])
async def test_a_body_that_is_not_an_object_is_a_400(client, body):
    status, reply = await chat(client, body)
    assert status == 400 and "error" in reply


@pytest.mark.parametrize("body", [{}, {"text": None}, {"text": 3}, {"text": ["hi"]}, {"text": {"a": 1}},
                                  {"question": "hi"}, {"entry": 7}, {"entry": ["principle-1"]}])
async def test_missing_or_non_string_text_is_a_400(client, body):
    status, reply = await chat(client, body)
    assert status == 400 and isinstance(reply["error"], str)


async def test_an_oversized_body_is_a_413(client):
    body = json.dumps({"text": "x" * (MAX_BODY_BYTES + 1)})
    status, reply = await chat(client, body)
    assert status == 413 and reply == {"error": "body too large"}


async def test_an_oversized_chunked_body_without_length_is_a_413(client):
    async def chunks():
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    status, reply = await chat(client, chunks())
    assert status == 413 and reply == {"error": "body too large"}


async def test_a_body_just_under_the_limit_is_answered(client):
    text = "transparent " * ((MAX_BODY_BYTES - 20) // 12)  # the core reads the first 2000 characters
    status, reply = await chat(client, {"text": text})
    assert status == 200 and reply["kind"] in {"answer", "suggestions", "not_found"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/chat"), ("PUT", "/api/chat"), ("DELETE", "/api/chat"), ("GET", "/api/feedback"),
    ("POST", "/"), ("POST", "/static/chat.js"), ("POST", "/healthz"),
])
async def test_the_wrong_method_is_a_405(client, method, path):
    async with client.request(method, path) as response:
        assert response.status == 405


async def test_the_page_is_served(client):
    async with client.get("/") as response:
        assert response.status == 200
        assert response.content_type == "text/html" and response.charset == "utf-8"
        page = await response.text()
    assert 'role="log"' in page and 'aria-live="polite"' in page
    assert re.search(r'<label[^>]* for="question"', page) and 'id="question"' in page
    assert "/static/chat.js" in page and "/static/chat.css" in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content_type"), [
    ("chat.js", "text/javascript"), ("chat.css", "text/css"), ("index.html", "text/html"),
    ("favicon.svg", "image/svg+xml"),
])
async def test_static_files_are_served_with_their_type(client, name, content_type):
    async with client.get(f"/static/{name}") as response:
        assert response.status == 200 and response.content_type == content_type
        assert await response.read() == (STATIC / name).read_bytes()


async def raw_get(client, target: str) -> int:
    """The status of a GET sent byte for byte, so no client tidies `..` out of the path first."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    return int(status_line.split()[1])


@pytest.mark.parametrize("target", [
    "/static/nope.js", "/static/", "/static/chat", "/static/../app.py", "/static/..%2Fapp.py",
    "/static/%2e%2e%2fapp.py", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..", "/static/.",
    "/static/chat.js%00.css", "/static/..%5capp.py", "/static/%2fetc%2fpasswd", "/static//etc/passwd",
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%252e%252e%252fapp.py",
    "/static/web.py", "/static/__init__.py", "/static/CHAT.JS", "/nothing-here",
    "/static/" + "a" * 300 + ".js", "/static/" + "%C3%A9" * 130 + ".css",
])
async def test_unknown_static_files_and_traversal_are_404(client, target):
    assert await raw_get(client, target) == 404


async def test_a_raw_get_of_a_real_file_is_a_200(client):
    assert await raw_get(client, "/static/chat.js") == 200


def test_the_static_files_load_nothing_from_elsewhere_and_never_inject_markup():
    for name in ("index.html", "chat.css", "chat.js"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//|@import", text), name
        assert "<script>" not in text and " on" + "click=" not in text, name
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script)


async def test_healthz_reports_the_knowledge_version(client, core):
    async with client.get("/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "knowledge_version": core.knowledge.version}


async def test_feedback_is_recorded(client, core):
    async with client.post("/api/feedback", json={"entry": "principle-3", "helpful": True,
                                                  "question": ANSWERED}) as response:
        assert response.status == 200
        reply = await response.json()
    assert reply["ok"] is True and reply["text"] == "Thanks for your feedback."
    [vote] = core.store.feedback
    assert (vote.platform, vote.entry, vote.helpful, vote.question) == (
        "web", "principle-3", True, ANSWERED)


async def test_feedback_without_a_question_is_recorded(client, core):
    async with client.post("/api/feedback", json={"entry": "topic-1", "helpful": False}) as response:
        assert response.status == 200
    assert [(f.entry, f.helpful, f.question) for f in core.store.feedback] == [("topic-1", False, None)]


@pytest.mark.parametrize("body", [
    b"{", b"[]", b"{}", b'{"entry": "principle-1"}', b'{"entry": "principle-1", "helpful": "yes"}',
    b'{"entry": "principle-1", "helpful": 1}', b'{"entry": null, "helpful": true}',
    b'{"entry": 5, "helpful": true}',
])
async def test_bad_feedback_is_a_400_and_records_nothing(client, core, body):
    async with client.post("/api/feedback", data=body, headers=JSON) as response:
        assert response.status == 400
        assert "error" in await response.json()
    assert core.store.feedback == []


async def test_oversized_feedback_is_a_413(client):
    body = json.dumps({"entry": "principle-1", "helpful": True, "question": "q" * MAX_BODY_BYTES})
    async with client.post("/api/feedback", data=body, headers=JSON) as response:
        assert response.status == 413


@pytest.mark.parametrize(("headers", "allowed"), [
    ({"Authorization": f"Bearer {TOKEN}"}, True),
    ({"Authorization": f"bearer   {TOKEN}"}, True),
    ({}, False),
    ({"Authorization": "Bearer wrong-token"}, False),
    ({"Authorization": f"Bearer {TOKEN}x"}, False),
    ({"Authorization": f"Basic {TOKEN}"}, False),
    ({"Authorization": TOKEN}, False),
    ({"Authorization": "Bearer "}, False),
    ({"Authorization": "Bearer caf\u00e9".encode().decode("latin-1")}, False),
])
async def test_the_admin_token_decides_admin_commands(client, headers, allowed):
    status, reply = await chat(client, {"text": "whoami please"}, headers=headers)
    assert status == 200
    if allowed:
        assert reply["kind"] == "notice" and reply["text"] == "admin ok: please"
    else:
        assert reply["kind"] == "refusal" and "only an admin" in reply["text"]


async def test_with_no_admin_token_configured_nobody_is_admin(tmp_path):
    app = with_whoami(tmp_path, admin_token=None)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
            status, reply = await chat(client, {"text": "whoami"}, headers=headers)
            assert status == 200 and reply["kind"] == "refusal"


@pytest.mark.parametrize("body", [
    {"text": "\ud800 lone surrogate"}, {"text": "\x00"}, {"text": "é" * 2500}, {"text": "<script>"},
    {"text": "principle 99"}, {"text": "principle 0"}, {"text": "a", "entry": None},
    {"text": "hi", "extra": {"nested": [1, 2]}}, {"entry": ""}, {"entry": "../../etc/passwd"},
    {"text": "1e999"}, {"text": "x", "helpful": "maybe"},
])
async def test_odd_input_never_makes_a_500(client, body):
    async with client.post("/api/chat", data=json.dumps(body), headers=JSON) as response:
        assert response.status < 500
        reply = await response.json()
    assert response.status in (200, 400) and isinstance(reply, dict)


async def test_a_topic_outside_the_guidance_is_not_an_answer_asked_or_clicked(tmp_path):
    """Asked in words or by id (a stale "did you mean" button), it is "not covered", never a 500."""
    path = write_knowledge(tmp_path / "outside-kb", outside=1)
    app = create_app(settings=Settings(knowledge_path=path), store=MemoryStore())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for body in ({"text": "how do i reset my chirper password?"}, {"entry": "outside-0"}):
            status, reply = await chat(client, body)
            assert status == 200, body
            assert (reply["answered"], reply["kind"], reply["principle"], reply["entry"]) == (
                False, "not_found", None, "outside-0"), body
            assert reply["suggestions"] == [] and "Principle" not in reply["text"]


async def _raw_exchange(client, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(request)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


async def test_an_authorization_header_that_is_not_utf8_is_no_admin_and_no_500(client):
    body = json.dumps({"text": "whoami"}).encode()
    head = (b"POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer \xff\xfe" + TOKEN.encode() + b"\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    answer = await _raw_exchange(client, head + body)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"Admins only" in answer


async def test_a_client_that_drops_a_slow_upload_is_one_quiet_line_not_a_500(client, caplog):
    caplog.set_level("INFO")
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 10000\r\n\r\n{\"text\": \"half a question")
    await writer.drain()
    await asyncio.sleep(0.2)  # the handler is waiting for the rest of the body
    writer.transport.abort()
    metrics = ""
    for _ in range(100):
        metrics = await (await client.get("/metrics")).text()
        if 'route="/api/chat"' in metrics:
            break
        await asyncio.sleep(0.02)
    chat = {sample.labels["code"]: sample.value
            for family in text_string_to_metric_families(metrics)
            for sample in family.samples if sample.name == "guidance_bot_http_requests_total"
            and sample.labels["route"] == "/api/chat"}
    assert chat == {"499": 1.0}
    assert 'code="500"' not in metrics
    assert "Traceback" not in caplog.text and "POST /api/chat 499" in caplog.text


@pytest.mark.parametrize(("path", "body"), [
    ("/api/chat", b'{"text": "principle 3"}'), ("/api/feedback", b'{"entry": "principle-3", '
                                                                 b'"helpful": false}'),
])
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None,
])
async def test_only_json_is_accepted_so_other_sites_cannot_post_from_a_browser(
        client, core, path, body, content_type):
    """A page elsewhere can send these content types cross-site without asking first."""
    async with client.post(path, data=body, headers={"Content-Type": content_type} if content_type
                           else None, skip_auto_headers=("Content-Type",)) as response:
        assert response.status == 415
        assert await response.json() == {"error": "content type must be application/json"}
    assert core.store.feedback == []


@pytest.mark.parametrize("entry", ["no-such-entry", "x" * 10_000, "", "principle-3 "])
async def test_feedback_for_no_entry_of_the_knowledge_base_is_a_400_and_records_nothing(
        client, core, entry):
    async with client.post("/api/feedback", json={"entry": entry, "helpful": True}) as response:
        assert response.status == 400
        assert "not an entry" in (await response.json())["error"]
    assert core.store.feedback == []

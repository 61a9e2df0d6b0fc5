"""`python app.py` with Slack and Teams on, against local fakes: a clean SIGTERM, and logs that
carry neither the credentials nor what users wrote."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.adapters.teams_support import golden
from tests.test_app_process import PROJECT, app_process

BOT_TOKEN = "xoxb-process-test-token-4242"
SIGNING_SECRET = "process-test-signing-secret-9999"
QUESTION = "zanzibar-marker principle 2"  # a user's words, which must not reach the log


class Platforms(BaseHTTPRequestHandler):
    """Slack's Web API under /api/ and a Bot Framework connector under /v3/, answering success."""

    calls: list[str] = []
    post_latency = 0.0  # seconds chat.postMessage takes, recorded only once it has answered

    def do_POST(self):  # noqa: N802 (the stdlib's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/chat.postMessage"):
            time.sleep(Platforms.post_latency)
        Platforms.calls.append(self.path)
        if self.path.startswith("/api/auth.test"):
            body = {"ok": True, "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"}
        elif self.path.startswith("/api/"):
            body = {"ok": True, "channel": "C0CHANNEL", "ts": "1700000000.000100"}
        else:
            body = {"id": "sent-1"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return None


@pytest.fixture
def platforms():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platforms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Platforms.calls = []
    Platforms.post_latency = 0.0
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def serve_then_sigterm(tmp_path, platforms: str, *, await_answer: bool) -> tuple[int, str, str]:
    """One signed Slack mention and one Teams message, then SIGTERM: (exit code, log, signature)."""
    with app_process(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                     SLACK_API_URL=f"{platforms}/api/") as (base, process):
        activity = golden("personal_message", service_url=f"{platforms}/", text=QUESTION)
        assert post(f"{base}/api/messages", json.dumps(activity).encode(),
                    {"Content-Type": "application/json"}) == 201
        event = json.loads((PROJECT / "tests/adapters/slack_payloads/app_mention.json").read_text())
        event["event"]["text"] = f"<@UBOT> {QUESTION}"
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body,
                                     hashlib.sha256).hexdigest()
        assert post(f"{base}/slack/events", body, {
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature}) == 200
        for _ in range(200 if await_answer else 0):  # the answer follows the acknowledgement
            if any(call.startswith("/api/chat.postMessage") for call in Platforms.calls):
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    return code, (tmp_path / "stderr.log").read_text(), signature


def test_sigterm_with_slack_and_teams_on_is_clean_and_logs_no_secrets(tmp_path, platforms):
    code, log, signature = serve_then_sigterm(tmp_path, platforms, await_answer=True)
    assert code == 0, log
    assert any(call.startswith("/api/chat.postMessage") for call in Platforms.calls)
    assert any(call.startswith("/v3/conversations/") for call in Platforms.calls)
    assert "unclosed" not in log.lower() and "Traceback" not in log, log
    for secret in (BOT_TOKEN, SIGNING_SECRET, "zanzibar-marker", signature):
        assert secret not in log, secret
    assert "POST /slack/events 200" in log and "POST /api/messages 201" in log


def test_sigterm_right_after_an_acknowledgement_still_sends_the_answer(tmp_path, platforms):
    Platforms.post_latency = 1.0
    code, log, _ = serve_then_sigterm(tmp_path, platforms, await_answer=False)
    assert code == 0, log
    assert any(call.startswith("/api/chat.postMessage") for call in Platforms.calls), log
    assert "unclosed" not in log.lower() and "Traceback" not in log, log

"""`python app.py` as operators run it: a real process, a real port, a real SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.kbfactory import write_knowledge

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, *, attempts: int = 200) -> None:
    for _ in range(attempts):
        if process.poll() is not None:
            raise AssertionError(f"app exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("app did not come up")


@contextmanager
def app_process(tmp_path: Path, **extra_env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -X dev app.py` on a free port, up and answering: (base URL, process). Its stderr
    goes to tmp_path/stderr.log; a process the test leaves running is killed.

    -X dev: asyncio debug mode and ResourceWarning for any transport or session left open.
    """
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "LOG_FORMAT": "json",
           "KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")), "PYTHONWARNINGS": "always",
           "DATA_DIR": str(tmp_path / "data"), **extra_env}
    with (tmp_path / "stderr.log").open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-X", "dev", "app.py"], cwd=PROJECT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/healthz", process)
            yield base, process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_sigterm_stops_cleanly_with_no_unclosed_resources(tmp_path):
    with app_process(tmp_path) as (base, process):
        request = urllib.request.Request(f"{base}/api/chat", data=b'{"text": "principle 2"}',
                                         headers={"Content-Type": "application/json",
                                                  "X-Request-Id": "before-term"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["principle"] == 2
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    log = (tmp_path / "stderr.log").read_text()
    assert code == 0, log
    assert "unclosed" not in log.lower() and "Traceback" not in log, log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line["request_id"] == "before-term" and "POST /api/chat 200" in line["message"]
               for line in lines)
    assert any("shutting down" in line["message"] for line in lines)


def _reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def test_without_host_the_app_listens_on_loopback_only(tmp_path, outside_address):
    with app_process(tmp_path, HOST="") as (base, _):
        port = base.rsplit(":", 1)[1]
        assert _reachable(f"{base}/healthz")
        assert not _reachable(f"http://{outside_address}:{port}/healthz")
    with app_process(tmp_path, HOST="0.0.0.0") as (base, _):
        port = base.rsplit(":", 1)[1]
        assert _reachable(f"http://{outside_address}:{port}/healthz")


def test_teams_admin_ids_without_credentials_refuse_to_start(tmp_path):
    env = {**os.environ, "PORT": str(free_port()), "LOG_FORMAT": "plain",
           "KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb")), "DATA_DIR": str(tmp_path),
           "TEAMS_ADMIN_IDS": "00000000-0000-0000-0000-0000000000a1", "MicrosoftAppId": ""}
    done = subprocess.run([sys.executable, "app.py"], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "TEAMS_ADMIN_IDS: needs MicrosoftAppId and MicrosoftAppPassword" in done.stderr

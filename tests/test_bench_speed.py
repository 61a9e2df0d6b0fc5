"""bench/speed.py runs end to end on a tiny knowledge base. Its figures are not checked here:
speed is judged by running the bench, never by a timed test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kbfactory import write_knowledge

ROOT = Path(__file__).resolve().parents[1]
BASELINE_PYTHON = ROOT / ".venv-baseline" / "bin" / "python"
TINY = ["--rounds", "1", "--requests", "20", "--seconds", "1", "--questions", "5", "--runs", "1",
        "--threads", "1"]


def run_speed(tmp_path: Path, *sections: str) -> dict:
    knowledge = write_knowledge(tmp_path / "kb", topics=2)
    figures = tmp_path / "speed.json"
    done = subprocess.run([sys.executable, "bench/speed.py", "--knowledge", str(knowledge),
                           "--only", *sections, *TINY, "--json", str(figures)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Against issue 12's targets" in done.stdout
    return json.loads(figures.read_text())


def test_slack_acks_beside_a_bolt_app_and_the_apps_peak_memory(tmp_path):
    figures = run_speed(tmp_path, "slack")
    assert figures["slack"]["unposted"] == {"ours": 0, "baseline": 0}
    assert all(r["load"]["requests"] == 20 and r["load"]["errors"] == 0
               for r in figures["slack"]["rounds"])
    assert figures["peak_mib"] > 0 and figures["bolt_peak_mib"] > 0


@pytest.mark.skipif(not BASELINE_PYTHON.exists(),
                    reason="no .venv-baseline with torch and sentence-transformers (make bench-baselines)")
def test_matching_cold_start_and_chat_beside_sentence_transformers(tmp_path):
    figures = run_speed(tmp_path, "matching", "cold", "chat")
    assert figures["matching"]["ours"]["count"] == figures["matching"]["baseline"]["count"] == 5
    assert set(figures["cold"]["runs"]) and all(len(v) == 1 for v in figures["cold"]["runs"].values())
    assert figures["chat"]["errors"] == {"ours": 0, "baseline": 0}
    assert figures["chat"]["ours_rps"] > 0 and figures["chat"]["baseline_rps"] > 0

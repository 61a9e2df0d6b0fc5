"""The core and the `ask` command line stay free of Slack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_core_never_imports_slack():
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import slack" not in text and "from slack" not in text, path
        assert "from adapters" not in text and "import adapters" not in text, path


def test_the_cli_loads_no_slack_module():
    code = ("import sys, adapters.cli.main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'slack_sdk')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"

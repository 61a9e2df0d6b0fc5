"""Start-up of `guidance-bot ask "..."` as a whole process, against importing its two libraries.

    .venv/bin/python bench/startup.py
Target (issue 2): at most 3 times `python -c "import yaml, rapidfuzz"`, measured in the same run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    venv_bin = Path(sys.executable).parent
    bot = shutil.which("guidance-bot", path=str(venv_bin)) or "guidance-bot"
    baseline = median_seconds([sys.executable, "-c", "import yaml, rapidfuzz"])
    ask = median_seconds([bot, "ask", "Can I post about politics on my own account?"])
    print(json.dumps({"runs": RUNS, "import_yaml_rapidfuzz_s": round(baseline, 3),
                      "guidance_bot_ask_s": round(ask, 3), "ratio": round(ask / baseline, 2)}))


if __name__ == "__main__":
    main()

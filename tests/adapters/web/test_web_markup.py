"""The web chat page puts every reply in with textContent, so no reply can inject markup."""

from __future__ import annotations

import re
from importlib import resources

import pytest

SCRIPTS = [p for p in (resources.files("adapters.web") / "static").iterdir()
           if p.name.endswith(".js")] if (resources.files("adapters.web") / "static").is_dir() else []


@pytest.mark.skipif(not SCRIPTS, reason="the web chat page is not in this tree yet")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_page_never_builds_markup_from_strings(script):
    source = script.read_text(encoding="utf-8")
    assert "textContent" in source
    assert not re.search(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|\beval\(",
                         source)

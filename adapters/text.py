"""Text helpers every adapter shares: one way to cut a long answer into pieces a platform takes."""

from __future__ import annotations

import re

# Where to cut, best first: a paragraph, a line, after a sentence, any space.
_BREAKS = tuple(re.compile(pattern) for pattern in (r"\n\s*\n", r"\n", r"(?<=[.!?])\s", r"\s"))
# An HTML-style escape such as `&amp;`, which Slack would show half-decoded if cut in two.
_ESCAPE = re.compile(r"&#?\w{1,8};")


def _cut(window: str, rest: str, limit: int) -> int:
    """Where to end the next piece of `rest`: the best break in the window's second half, else
    the limit itself, moved back before an escape that the limit would cut in half."""
    for pattern in _BREAKS:
        found = [m.start() for m in pattern.finditer(window) if m.start() >= max(limit // 2, 1)]
        if found:
            return found[-1]
    amp = window.rfind("&", max(limit - 10, 1))
    escape = _ESCAPE.match(rest, amp) if amp != -1 else None
    return amp if escape is not None and escape.end() > limit else limit


def split_text(text: str, *, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line, sentence or word if possible.

    Never cuts inside an escape such as `&amp;`. Blank text is one empty piece, so a caller that
    shows nothing for it says so itself.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest[:limit], rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces

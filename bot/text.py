"""Text normalisation shared by the matcher and the knowledge-base checks.

Both must agree on when two questions are "the same", so there is exactly one definition.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc`")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing folded: "Can I tweet?!" -> "can i tweet"."""
    folded = text.translate(_APOSTROPHES)
    if folded.isascii():
        # Nearly every question: nothing to decompose or strip, and lower() is casefold() here.
        # The per-character walk below is most of the cost of a question's normalisation.
        return _NON_WORD.sub(" ", folded.lower()).strip()
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return _NON_WORD.sub(" ", folded).strip()


# NUL, other control characters (tab and newlines stay) and lone surrogates: PostgreSQL refuses
# NUL, and neither database can encode a lone surrogate, which JSON's "\ud800" makes.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_ID_CHARS = 255  # the width of every id column


def storable(text: str, *, limit: int) -> str:
    """`text` as both databases keep it alike: without what either refuses, at most `limit`
    characters. Applied once, where text enters the core, so SQLite and PostgreSQL see the same."""
    return _UNSTORABLE.sub("", text)[:limit]

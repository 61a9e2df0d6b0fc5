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
    folded = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return _NON_WORD.sub(" ", folded).strip()

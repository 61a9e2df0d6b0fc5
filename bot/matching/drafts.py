"""Telling a pasted draft post from a question, and a message's question from its context.

"Draft for our page: '...' ok to post?" asks whether a post is fine; matched as a whole, its
quoted words (a fishing licence, a petition) would pull it toward whatever they happen to mention.
A long message that explains a situation before it asks is likewise matched sentence by sentence,
so the question is not drowned by its context.

The draft check (bot.checking) asks the same question with `pasted=True`: a message that is only a
quote or a pasted block, or a post in one paragraph with "ok to post?" in another, is a draft too.
The matcher does not ask that: it answers every draft it finds from the conduct entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTED = re.compile(
    r"""(?:^|(?<=[\s:(\[-]))["\u201c'\u2018](?P<q>[^"\u201c\u201d\u2018\u2019]{12,}?)["\u201d'\u2019]"""
    r"""(?=$|[\s.,!?;:)\]-])|(?:^|\n)\s*(?:>|&gt;)\s?(?P<s>[^\n]{12,}(?:\n[ \t]*(?:>|&gt;)[^\n]*)*)"""
    r"""|(?:^|\n)\s*```[^\n]*\n(?P<f>.{12,}?)\n\s*```""", re.S)
# A Slack quote: "> " at the start of each line, which Slack's events escape as "&gt; ".
_QUOTE_MARK = re.compile(r"\n[ \t]*(?:>|&gt;)[ \t]?")
# Words around a quote that say it is a post being checked, not a phrase being discussed.
_CUE = re.compile(r"\b(draft(?:ed|ing)?|caption|tweet|thread|repost|reply|post|posting|publish|ok|okay|"
                  r"fine|alright|good to go|go|check|allowed|thoughts|sound|safe)\b", re.I)
_COLON = re.compile(r"^(?P<ask>[^:\n]{3,90}?)\s*:\s+(?P<q>.{25,})$", re.S)
_COLON_CUE = re.compile(r"\b(draft|caption|tweet|thread|repost|reply|post|posting|publish|is this|ok to|"
                        r"okay to|fine to|thoughts on|before i|check this|how about|sound ok)\b", re.I)
_TRAIL = re.compile(r"^(?P<q>.{25,}?)\s+(?:-+|\u2013|\u2014|\|)\s*(?P<ask>[^-\u2013\u2014]{2,60})$", re.S)
_TRAIL_ASK = re.compile(r"^(?:is (?:this|that|it) )?(?:ok|okay|fine|alright|good to go|safe|acceptable)"
                        r"(?: to (?:post|send|publish|tweet|share|put up))?\s*\??$", re.I)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_PARAGRAPH_ASK = re.compile(r"^(?:(?:is|would) (?:this|that|it) |(?:can|could|may) (?:i|we) (?:post|send|"
                            r"publish|share) (?:this|that|it)\??\s*)?(?:(?:ok|okay|fine|alright|good to go|"
                            r"safe|acceptable)(?: to (?:post|send|publish|tweet|share|put up))?|thoughts)"
                            r"(?: from (?:my|our|the) [\w -]{2,30})?\s*\??$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
MAX_SENTENCES = 8


@dataclass(frozen=True, kw_only=True)
class Draft:
    post: str  # the words of the post itself
    ask: str  # what the message says around it ("Draft for our page: ... ok to post?")


def find_draft(text: str, *, pasted: bool = False) -> Draft | None:
    """The post a message asks about, in quotes, a Slack quote (several lines of it, escaped or
    not), a fenced block, or after "is this ok:". With `pasted`, also a message that is nothing
    but such a quote, and a post paragraph beside a paragraph that only asks ("ok to post?")."""
    text = text.strip()
    best: tuple[str, tuple[int, int], bool] | None = None
    for found in _QUOTED.finditer(text):
        quote = _QUOTE_MARK.sub("\n", found.group("q") or found.group("s") or found.group("f")).strip()
        if best is None or len(quote) > len(best[0]):
            best = (quote, found.span(), found.group("q") is None)
    if best is not None and len(best[0].split()) >= 4:
        ask = f"{text[:best[1][0]]} {text[best[1][1]:]}".strip()
        if _CUE.search(ask) or (pasted and not ask and best[2]):
            return Draft(post=best[0], ask=ask)
    if (colon := _COLON.match(text)) and _COLON_CUE.search(colon.group("ask")) \
            and len(colon.group("q").split()) >= 5:
        return Draft(post=colon.group("q").strip(), ask=colon.group("ask").strip())
    if (trail := _TRAIL.match(text)) and _TRAIL_ASK.match(trail.group("ask").strip()) \
            and len(trail.group("q").split()) >= 6:
        return Draft(post=trail.group("q").strip(), ask=trail.group("ask").strip())
    if pasted and len(parts := _PARAGRAPHS.split(text)) == 2:
        for ask, post in (parts, parts[::-1]):
            if _PARAGRAPH_ASK.match(ask.strip()) and len(post.split()) >= 6:
                return Draft(post=post.strip(), ask=ask.strip())
    return None


@dataclass(frozen=True, kw_only=True)
class Segment:
    text: str
    asks: bool  # the whole message, or a sentence that asks something


def segments(text: str) -> tuple[Segment, ...]:
    """The message as a whole, then each of its sentences when it has several."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if len(p.strip()) > 2]
    whole = Segment(text=text, asks=True)
    if len(parts) < 2:
        return (whole,)
    return (whole, *(Segment(text=p, asks="?" in p) for p in parts[:MAX_SENTENCES]))

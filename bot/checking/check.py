"""Checking a draft post: is this message a draft, which account is it for, and what would the
guidance's reader raise about it. Pure and fast: no model, no I/O, nothing but `re`."""

from __future__ import annotations

import re

from bot.checking.rules import find, post_span
from bot.checking.verdict import Account, ConcernKind, DraftCheck, concern
from bot.matching.drafts import find_draft

# `check <text>`, `/guidance check <text>`, `check draft: <text>`, `check-draft <text>`.
_COMMAND = re.compile(r"^(?:/guidance\s+)?check(?:[- ]?draft)?\b\s*:?\s*(?P<rest>.*)$", re.I | re.S)
# ...unless what follows is a question about checking ("check if I can post about politics").
_ASKS = re.compile(r"^(?:if|whether|what|which|who|how|when|where|why|can|could|may|should|am|do|does|"
                   r"is it|are|the rules?|guidance|principle)\b", re.I)
# Where a post goes. (A blog is left out: "the DWP Digital blog" is a source, not where it is posted.)
_PLATFORM = (r"(?:account|acc|acct|page|profile|feed|channel|handle|insta(?:gram)?|ig|twitter|twt|x|facebook|"
             r"fb|linkedin|tiktok|youtube|bsky|bluesky|threads|story|stories|mastodon|snapchat)")
_PERSONAL = re.compile(
    rf"\b(?:my (?:own|personal)\b|personal (?:capacity|{_PLATFORM})|(?:on|for|from|in) my (?:[\w-]+ )?"
    rf"{_PLATFORM}\b|^(?:my )?(?:insta|fb|ig)\s*:|^my \w+\s*:|^\W*linkedin\b)|\((?:personal|my own|mine)\)",
    re.I)
_OFFICIAL = re.compile(
    rf"\b(?:(?:our|the|dept|department'?s?|team|agency|agency'?s|official|corporate|departmental|council|"
    rf"organisation'?s|ministry'?s?|press office|comms)\s(?:[\w@'-]+\s){{0,3}}?{_PLATFORM}\b|"
    r"(?:for|from) the (?:dept|department|agency|council)\b|(?:dept|department|agency|council) "
    r"(?:reply|response|post|tweet|caption)|our (?:official |team |dept |reply|response|post|tweet|caption|"
    r"social)|can we (?:post|rt|retweet|share|use|put)|we'?re in (?:purdah|the pre-?election))", re.I)


def read_account(message: str) -> Account:
    """The account a message says (or implies) a post is for: "my own X", "our dept account"."""
    personal, official = _PERSONAL.search(message), _OFFICIAL.search(message)
    if personal and official:  # the one said first is what the message is about
        return Account.PERSONAL if personal.start() <= official.start() else Account.OFFICIAL
    if personal or official:
        return Account.PERSONAL if personal else Account.OFFICIAL
    return Account.UNKNOWN


def find_draft_text(message: str) -> str | None:
    """The draft a message asks to have checked, or None for anything else (an ordinary question
    is never a draft). The command `check <text>` (or `/guidance check <text>`), a quoted post
    ("Draft for X: '...' ok to post?"), a Slack quote, a pasted block, or text after "is this ok:"."""
    text = message.strip()
    command = _COMMAND.match(text)
    if command is not None and not _ASKS.match(command.group("rest")):
        rest = command.group("rest").strip()
        if not rest:
            return None
        draft = find_draft(rest, pasted=True)
        return draft.post if draft is not None else rest
    draft = find_draft(text, pasted=True)
    if draft is None or (not draft.ask and _ASKS.match(draft.post) and draft.post.endswith("?")):
        return None  # nothing quoted, or a quoted question ("> can I like a minister's post?")
    return draft.post


def check_draft(*, text: str, account: Account | None = None) -> DraftCheck:
    """Check a draft against what the guidance cares about. `text` is the whole message, the post
    and any words around it: they often say the account, the election period, or what a picture
    shows. `account`, when given, overrides what the message says."""
    account = account or read_account(text)
    checked = tuple(kind for kind in ConcernKind
                    if kind is not ConcernKind.ELECTION or account is not Account.PERSONAL)
    found = find(text, account=account)
    post = post_span(text)
    concerns = tuple(concern(kind, _quote(text, start, _within(post, start, end)))
                     for kind, (start, end) in found)
    return DraftCheck(concerns=concerns, account=account, checked=checked)


def _within(post: tuple[int, int] | None, start: int, end: int) -> int:
    """A quote that begins in the post ends with it: the asker's "ok to post?" is not the post's."""
    if post is not None and post[0] <= start < post[1]:
        return min(end, post[1])
    return end


def _quote(text: str, start: int, end: int) -> str:
    """The words at text[start:end], without the spaces and commas at either end."""
    quote = text[start:end]
    return quote.strip(" \t\n,;:-") or quote


"""What a draft check finds, and what it says: concerns, the account, and the advice around them.

Pure data and fixed wording, no platform: each adapter decides how to show a `DraftCheck`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConcernKind(StrEnum):
    POLITICS = "politics"
    OFFICIAL_INFORMATION = "official-information"
    COMMITMENT = "commitment"
    PERSONAL_DATA = "personal-data"
    ABUSE = "abuse"
    COPYRIGHT = "copyright"
    ELECTION = "election"


class Account(StrEnum):
    PERSONAL = "personal"
    OFFICIAL = "official"
    UNKNOWN = "unknown"  # the message does not say


# Every kind is principle 6, "adhere to the Civil Service Code". guidance-facts.md puts the
# checks before posting under it: the propriety advice "sits under principle 6 and applies the
# Code to official use", the Code's own standards apply online "in an official or a personal
# capacity", and impartiality (politics, election periods), honesty and integrity (commitments,
# official information, abuse) are its core values. Personal data and copyright were weighed
# against principle 3 and left at 6: principle 3 is about government being open about its
# decisions, which the facts never extend to other people's data or work, while "law still
# applies online: libel and defamation, copyright, data protection" is conduct advice, the Code's.
PRINCIPLE: dict[ConcernKind, int] = {kind: 6 for kind in ConcernKind}

ADVICE: dict[ConcernKind, str] = {
    ConcernKind.POLITICS: (
        "Leave out party politics and any criticism of ministers or government policy: a civil "
        "servant must stay impartial, and be seen to, on a personal account as on an official one."),
    ConcernKind.OFFICIAL_INFORMATION: (
        "Don't share information, figures, documents or plans that have not been published or "
        "announced: wait until they are public, then link to the official source."),
    ConcernKind.COMMITMENT: (
        "Don't promise outcomes or dates you are not authorised to promise: say only what is "
        "already published, and point the person to the official channel for their case."),
    ConcernKind.PERSONAL_DATA: (
        "Take out names with cases, reference or NI numbers, addresses, contact and health "
        "details of members of the public or colleagues, and deal with individual cases in private."),
    ConcernKind.ABUSE: (
        "Drop the insult or the mockery and don't reply in kind: stay polite and factual, or take "
        "the conversation offline and don't engage with abusive users."),
    ConcernKind.COPYRIGHT: (
        "Post only pictures, music, text and messages you have the right to share: your own or "
        "properly licensed, and never someone's private message without their permission."),
    ConcernKind.ELECTION: (
        "In an election period an official account posts only factual, operational information "
        "(opening times, services, deadlines): hold anything about plans, achievements or "
        "politics until after polling day."),
}

WHAT_IS_CHECKED: dict[ConcernKind, str] = {
    ConcernKind.POLITICS: "party politics and criticism of ministers or government policy",
    ConcernKind.OFFICIAL_INFORMATION: "unpublished information, figures, documents or plans",
    ConcernKind.COMMITMENT: "promises or commitments on the department's behalf",
    ConcernKind.PERSONAL_DATA: "personal data of members of the public or colleagues",
    ConcernKind.ABUSE: "abusive, defamatory or mocking language, or replying in kind",
    ConcernKind.COPYRIGHT: "other people's photos, words or music, and private messages",
    ConcernKind.ELECTION: "the election-period limits on official accounts",
}

PERMANENT = ("Posts are effectively permanent and hard to remove (screenshots and edit histories "
             "keep them): if in doubt, don't post.")
WHO_TO_ASK = ("If you are unsure, ask your line manager or your department's communications or "
              "propriety team.")
WHICH_ACCOUNT = (
    "The message doesn't say which account this is for, and the verdict depends on it. From an "
    "official account the post speaks for the department: it must be accurate, authorised and "
    "impartial, and in an election period only factual and operational. From a personal account "
    "the Civil Service Code still applies: no official information without authority and nothing "
    "that compromises your impartiality, and inappropriate posts can still lead to disciplinary "
    "action.")


@dataclass(frozen=True, kw_only=True)
class Concern:
    kind: ConcernKind
    principle: int  # 1 to 6, as the guidance numbers them
    quote: str  # the words that raised it, exactly as they stand in the draft
    advice: str  # one sentence: what to do instead

    def to_json(self) -> dict[str, object]:
        return {"kind": str(self.kind), "principle": self.principle, "quote": self.quote,
                "advice": self.advice}


def concern(kind: ConcernKind, quote: str) -> Concern:
    return Concern(kind=kind, principle=PRINCIPLE[kind], quote=quote, advice=ADVICE[kind])


@dataclass(frozen=True, kw_only=True)
class DraftCheck:
    """A draft's verdict. Never "safe to post": with nothing found, `advice` says what was
    checked, that posts are permanent, and who to ask."""

    concerns: tuple[Concern, ...]
    account: Account  # as the message says, or as the caller said
    checked: tuple[ConcernKind, ...]  # the kinds looked for

    @property
    def advice(self) -> tuple[str, ...]:
        """The paragraphs to show after the concerns (or instead of them)."""
        if self.concerns:
            lead = ("Change each of these before posting, and don't just reword it to hide the "
                    "concern. " + PERMANENT)
        else:
            looked = "; ".join(WHAT_IS_CHECKED[kind] for kind in self.checked)
            lead = (f"I found none of the things I check for ({looked}). That does not make it "
                    f"safe to post: I read words, not context. {PERMANENT}")
        paragraphs = [lead, WHO_TO_ASK]
        if self.account is Account.UNKNOWN:
            paragraphs.append(WHICH_ACCOUNT)
        return tuple(paragraphs)

    def to_json(self) -> dict[str, object]:
        """`guidance-bot check-draft --json`'s line: exactly `{"concerns": [...]}` (public)."""
        return {"concerns": [c.to_json() for c in self.concerns]}

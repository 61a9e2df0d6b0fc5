"""The draft check: "can I post this?" answered from the guidance, with the words that raised each
concern, its principle and what to do instead. Platform-neutral and pure, like bot.matching."""

from bot.checking.check import check_draft, find_draft_text, read_account
from bot.checking.verdict import Account, Concern, ConcernKind, DraftCheck

__all__ = ["Account", "Concern", "ConcernKind", "DraftCheck", "check_draft", "find_draft_text",
           "read_account"]

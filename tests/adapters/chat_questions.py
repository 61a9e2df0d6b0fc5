"""Questions with a known outcome in the kbfactory knowledge base, for the web chat's tests.

The adapter tests check what the page and the API do with an answer or with suggestions, not how
well the matcher scores, so they find their questions through the core instead of hard-coding
phrasings that the next round of matcher tuning would break.
"""

from __future__ import annotations

from bot.conversation.core import Core
from bot.messages import Message, ReplyKind
from tests.kbfactory import principle_entry

ANSWERED = principle_entry(3)["questions"][0]  # a question of entry principle-3, word for word
ANSWER_TEXT = principle_entry(3)["answer"]
_MAYBE_AMBIGUOUS = ("principle transparent", "accountable conversation", "transparent conversation",
                    "transparent accountable conversation", "principle accountable",
                    "what about being transparent and consulting", "transparent consult engage",
                    "what about code and myth stuff", "what about citizens and code stuff")


async def ambiguous_question(core: Core) -> tuple[str, list[str]]:
    """A question the core answers with "did you mean" suggestions, and the suggested entry ids."""
    for text in _MAYBE_AMBIGUOUS:
        reply = await core.handle(Message(platform="web", user_id="test", text=text))
        if reply.kind is ReplyKind.SUGGESTIONS and reply.suggestions:
            return text, [s.entry for s in reply.suggestions]
    raise AssertionError(f"none of {_MAYBE_AMBIGUOUS} gets suggestions any more: add one that does")

"""Who may run admin commands: one pure check, decided from configuration, applied in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.messages import Message


def parse_ids(raw: str | None) -> frozenset[str]:
    """`SLACK_ADMIN_IDS="U1, U2"` style lists: commas or whitespace, blanks ignored."""
    if not raw:
        return frozenset()
    return frozenset(part for part in raw.replace(",", " ").split() if part)


@dataclass(frozen=True, kw_only=True)
class Admins:
    by_platform: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_lists(cls, **ids: Iterable[str]) -> Admins:
        return cls(by_platform={platform: frozenset(v) for platform, v in ids.items()})

    def allows(self, message: Message) -> bool:
        """Ids are the platform's user ids; for Slack, `T123:U456` names a member of one workspace
        (or `E123:W456` of one Enterprise Grid org), and a plain id one of the installed
        workspace, so a member of another workspace with the same id is no admin."""
        if message.anonymous:
            return False
        # The web chat and the CLI have no user directory: presenting the admin token is the proof.
        if message.authenticated_admin:
            return True
        ids = self.by_platform.get(message.platform, frozenset())
        if any(f"{workspace}:{message.user_id}" in ids for workspace in message.workspaces):
            return True
        return message.home_workspace and message.user_id in ids

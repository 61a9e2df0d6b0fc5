"""Text a non-admin plants for an admin to see later: a disguised link, Markdown and mrkdwn."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.audit import AuditEntry

PLANTED = "[Re-login](https://evil.example) *now* _please_ <https://evil.example|gov.uk>"
LINK = "](https://evil.example)"


def strings(node, *, kinds: dict[str, str]) -> dict[str, list[str]]:
    """Every string under `node` by the kind of element that holds it: `kinds` maps a `type`
    value to the key of its text ("TextBlock": "text"), and anything else is not collected."""
    found: dict[str, list[str]] = {kind: [] for kind in kinds}

    def walk(item) -> None:
        if isinstance(item, dict):
            kind = item.get("type")
            if kind in kinds and isinstance(item.get(kinds[kind]), str):
                found[kind].append(item[kinds[kind]])
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(node)
    return found


def planted_audit_entry() -> AuditEntry:
    return AuditEntry(at=datetime.now(UTC), platform="teams", user_id=PLANTED, channel_id=PLANTED,
                      command="reload", arguments=PLANTED, outcome="refused")

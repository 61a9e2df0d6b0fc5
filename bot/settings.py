"""Configuration from the environment, checked once at start with every problem named together."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.conversation.access import Admins, parse_ids
from bot.matching.matcher import Thresholds

if TYPE_CHECKING:
    from bot.storage.retention import Retention

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHIPPED_KNOWLEDGE = Path(__file__).resolve().parent / "knowledge" / "shipped"  # in a wheel
# A member id, or one tied to a workspace (T…) or Enterprise Grid org (E…): see `bot.conversation.access`.
SLACK_ADMIN_ID = re.compile(r"^(?:[TE][A-Z0-9]+:)?[UW][A-Z0-9]+$")


class SettingsError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


def default_knowledge_path() -> Path:
    """`knowledge/` in the working folder, else the repository's, else the copy inside the wheel."""
    for folder in (Path("knowledge"), PROJECT_DIR / "knowledge"):
        if folder.is_dir():
            return folder
    return SHIPPED_KNOWLEDGE


@dataclass(frozen=True, kw_only=True)
class Settings:
    port: int = 3978
    host: str = "127.0.0.1"  # local only unless HOST says otherwise
    knowledge_path: Path = field(default_factory=default_knowledge_path)
    knowledge_url: str | None = None
    database_url: str | None = None
    data_dir: Path = Path("data")
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str = ""
    reminder_timezone: str = "Europe/London"
    thresholds: Thresholds = Thresholds()
    reminders_enabled: bool = True
    reminder_cutoff: str = "12:00"
    admin_token: str | None = None
    admins: Admins = Admins()
    environment: str = "development"
    question_log_days: int = 30
    question_log_key: str | None = None
    audit_log_days: int = 90
    knowledge_poll_seconds: float = 5.0
    instance_id: str | None = None
    web_rate_limit: int = 30  # requests a minute per client on /api/chat and /api/feedback

    @property
    def slack_http_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def retention(self) -> Retention:
        from bot.storage.retention import Retention  # not at the top: `ask` never needs asyncio

        return Retention(question_text_days=self.question_log_days, audit_days=self.audit_log_days)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port = 3978
        if text("PORT"):
            try:
                port = int(env["PORT"])
                if not 0 <= port <= 65535:
                    raise ValueError
            except ValueError:
                problems.append(f"PORT: must be a port number (0-65535), not {env['PORT']!r}")
        timezone = text("REMINDER_TIMEZONE") or "Europe/London"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"REMINDER_TIMEZONE: unknown time zone {timezone!r}")
        reminders = (text("REMINDERS") or "on").lower()
        if reminders not in ("on", "off", "true", "false", "1", "0"):
            problems.append("REMINDERS: must be on or off")
        limits = {}
        for name, field_name in (("ANSWER_THRESHOLD", "answer"), ("SUGGEST_THRESHOLD", "suggest")):
            if text(name):
                try:
                    limits[field_name] = float(env[name])
                    if not 0 <= limits[field_name] <= 100:
                        raise ValueError
                except ValueError:
                    problems.append(f"{name}: must be a number from 0 to 100, not {env[name]!r}")
        cutoff = text("REMINDER_CUTOFF") or "12:00"
        try:
            time.fromisoformat(cutoff)
        except ValueError:
            problems.append(f"REMINDER_CUTOFF: must be a time like 12:00, not {cutoff!r}")
        knowledge = Path(text("KNOWLEDGE_PATH") or default_knowledge_path())
        if not knowledge.exists():
            problems.append(f"KNOWLEDGE_PATH: {str(knowledge)!r} does not exist")
        knowledge_url = text("KNOWLEDGE_URL")
        if knowledge_url and not knowledge_url.startswith(("http://", "https://")):
            problems.append("KNOWLEDGE_URL: must be an http:// or https:// URL")
        database_url = text("DATABASE_URL")
        if database_url and not database_url.startswith(
            ("sqlite://", "sqlite+aiosqlite://", "postgres://", "postgresql://",
             "postgresql+asyncpg://")
        ):
            problems.append("DATABASE_URL: must start with sqlite://, postgres:// or postgresql://")
        elif database_url and database_url.startswith("postgres") and find_spec("asyncpg") is None:
            problems.append("DATABASE_URL: PostgreSQL needs the asyncpg driver, which is not installed; "
                            "install it with: pip install 'guidance-bot[postgres]'")
        if bool(text("SLACK_BOT_TOKEN")) != bool(text("SLACK_SIGNING_SECRET")) and not text(
            "SLACK_APP_TOKEN"
        ):
            problems.append("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: set both, or neither")
        if text("SLACK_APP_TOKEN") and not text("SLACK_BOT_TOKEN"):
            problems.append("SLACK_APP_TOKEN: Socket Mode also needs SLACK_BOT_TOKEN")
        if (text("LOG_FORMAT") or "plain").lower() not in ("plain", "json"):
            problems.append("LOG_FORMAT: must be plain or json")
        environment = (text("GUIDANCE_BOT_ENV") or "development").lower()
        if environment not in ("development", "production"):
            problems.append("GUIDANCE_BOT_ENV: must be development or production")
        app_type = text("MicrosoftAppType") or "MultiTenant"
        if app_type not in ("MultiTenant", "SingleTenant", "UserAssignedMSI"):
            problems.append("MicrosoftAppType: must be MultiTenant, SingleTenant or UserAssignedMSI")
        if app_type in ("SingleTenant", "UserAssignedMSI") and not text("MicrosoftAppTenantId"):
            problems.append(f"MicrosoftAppTenantId: required when MicrosoftAppType is {app_type}")
        if text("MicrosoftAppId") and not text("MicrosoftAppPassword") and (
            app_type != "UserAssignedMSI"
        ):
            problems.append("MicrosoftAppPassword: required when MicrosoftAppId is set")
        if environment == "production" and not text("MicrosoftAppId") and text(
            "TEAMS_ENABLED") != "false":
            problems.append("MicrosoftAppId: production refuses an unauthenticated Bot Framework "
                            "endpoint; set it, or TEAMS_ENABLED=false")
        odd = sorted(i for i in parse_ids(text("SLACK_ADMIN_IDS")) if not SLACK_ADMIN_ID.match(i))
        if odd:
            problems.append("SLACK_ADMIN_IDS: not a member id (U…) or workspace:member (T…:U…): "
                            + ", ".join(map(repr, odd)))
        if text("TEAMS_ADMIN_IDS") and not text("MicrosoftAppId"):
            problems.append("TEAMS_ADMIN_IDS: needs MicrosoftAppId and MicrosoftAppPassword; without "
                            "them /api/messages is the local Emulator endpoint, where anyone names "
                            "their own user id, so it grants no admin")
        def whole(name: str, *, default: int, low: int, high: int, what: str) -> int:
            raw = (text(name) or "").strip()
            if not raw:
                return default
            if raw.isascii() and raw.isdigit() and low <= int(raw[:7]) <= high:
                return int(raw)
            problems.append(f"{name}: must be {what} ({low}-{high}), not {raw!r}")
            return default

        question_log_days = whole("QUESTION_LOG_DAYS", default=30, low=1, high=3650,
                                  what="a number of days")
        audit_log_days = whole("AUDIT_LOG_DAYS", default=90, low=1, high=3650,
                               what="a number of days")
        poll = 5.0
        if text("KNOWLEDGE_POLL_SECONDS"):
            try:
                poll = float(env["KNOWLEDGE_POLL_SECONDS"])
                if not 0.1 <= poll <= 15:
                    raise ValueError
            except ValueError:
                problems.append("KNOWLEDGE_POLL_SECONDS: must be a number of seconds from 0.1 to 15, "
                                f"not {env['KNOWLEDGE_POLL_SECONDS']!r}")
        web_rate_limit = whole("WEB_RATE_LIMIT", default=30, low=0, high=100_000,
                               what="a number of requests a minute, 0 for no limit")
        if problems:
            raise SettingsError(problems)
        return cls(
            port=port,
            host=text("HOST") or "127.0.0.1",
            knowledge_path=knowledge,
            knowledge_url=knowledge_url,
            database_url=database_url,
            data_dir=Path(text("DATA_DIR") or "data"),
            slack_bot_token=text("SLACK_BOT_TOKEN"),
            slack_signing_secret=text("SLACK_SIGNING_SECRET"),
            slack_app_token=text("SLACK_APP_TOKEN"),
            slack_api_url=text("SLACK_API_URL"),
            microsoft_app_id=text("MicrosoftAppId") or "",
            microsoft_app_password=text("MicrosoftAppPassword") or "",
            microsoft_app_type=app_type,
            microsoft_app_tenant_id=text("MicrosoftAppTenantId") or "",
            reminder_timezone=timezone,
            thresholds=Thresholds(**limits),
            reminders_enabled=reminders in ("on", "true", "1"),
            reminder_cutoff=cutoff,
            admin_token=text("ADMIN_TOKEN"),
            admins=Admins.from_lists(slack=parse_ids(text("SLACK_ADMIN_IDS")),
                                     teams=parse_ids(text("TEAMS_ADMIN_IDS"))),
            environment=environment,
            question_log_days=question_log_days,
            question_log_key=text("QUESTION_LOG_KEY"),
            audit_log_days=audit_log_days,
            knowledge_poll_seconds=poll,
            instance_id=text("INSTANCE_ID"),
            web_rate_limit=web_rate_limit,
        )

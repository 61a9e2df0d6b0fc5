"""What a start tells the operator: where to open the bot, what it serves, from which database,
and which platforms are on, each with the setting that decided it.

Every line is a plain sentence in the log, once the server is listening (so the address it names
answers), and nothing here ever includes a token, a password or a database user name.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from yarl import URL

from bot.knowledge.loader import KnowledgeBase
from bot.settings import Settings
from bot.storage.errors import DatabaseUnreachable
from bot.storage.sqlstore import describe_database

ALL_ADDRESSES = frozenset({"0.0.0.0", "::", ""})


@dataclass(frozen=True, kw_only=True)
class Switch:
    """One platform or service: on (and how it is served) or off, and the setting that decided."""

    name: str
    on: bool
    why: str
    how: str = ""

    def __str__(self) -> str:
        state = ("on, " + self.how if self.how else "on") if self.on else "off"
        return f"{self.name}: {state} ({self.why})"


def address(*, host: str, port: int) -> str:
    """The web chat's URL to open on this machine; all-addresses hosts are opened as localhost."""
    if host in ALL_ADDRESSES:
        host = "localhost"
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and literal.version == 6:
        host = f"[{host}]"
    return str(URL(f"http://{host}:{port}/"))


def switches(*, settings: Settings) -> tuple[Switch, ...]:
    """The platforms as `create_app` mounts them for these settings (a test holds the two to
    each other), and the reminder scheduler."""
    http, socket = settings.slack_http_enabled, bool(settings.slack_app_token
                                                      and settings.slack_bot_token)
    ways = [(way, why) for way, why, on in (
        ("events at POST /slack/events", "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set", http),
        ("Socket Mode", "SLACK_APP_TOKEN set", socket)) if on]
    slack = (Switch(name="Slack", on=True, how=" and ".join(w for w, _ in ways),
                    why="; ".join(why for _, why in ways)) if ways else
             Switch(name="Slack", on=False, why="SLACK_BOT_TOKEN unset"))
    if settings.microsoft_app_id:
        teams = Switch(name="Teams", on=True, how="at POST /api/messages",
                       why=f"MicrosoftAppId {settings.microsoft_app_id}")
        emulator = Switch(name="Emulator endpoint", on=False, why="MicrosoftAppId set")
    else:
        teams = Switch(name="Teams", on=False, why="MicrosoftAppId unset")
        emulator = (Switch(name="Emulator endpoint", on=False,
                           why="MicrosoftAppId unset and GUIDANCE_BOT_ENV=production")
                    if settings.production else
                    Switch(name="Emulator endpoint", on=True,
                           how="loopback only, no admin, at POST /api/messages",
                           why="MicrosoftAppId unset"))
    reminders = (Switch(name="Reminders", on=True, how="posted by this process",
                        why="REMINDERS=on")
                 if settings.reminders_enabled else
                 Switch(name="Reminders", on=False,
                        why="REMINDERS=off: run `guidance-bot reminders run-due` from cron"))
    return slack, teams, emulator, reminders


def _database_source(settings: Settings) -> str:
    return "DATABASE_URL" if settings.database_url else "DATABASE_URL unset: the file in DATA_DIR"


def database_line(*, settings: Settings) -> str:
    where = describe_database(url=settings.database_url, data_dir=settings.data_dir)
    return f"{where} ({_database_source(settings)})"


def unreachable_line(*, error: DatabaseUnreachable, settings: Settings) -> str:
    """The one line for a database that cannot be opened, instead of the driver's traceback."""
    return (f"database: cannot connect to {error.where} ({_database_source(settings)}): "
            f"{error.reason}")


def startup_lines(*, settings: Settings, knowledge: KnowledgeBase, version: str) -> list[str]:
    """The start-up report, a line each: what to open, what is served, from where."""
    url = address(host=settings.host, port=settings.port)
    where = ("on all addresses" if settings.host in ALL_ADDRESSES else f"on {settings.host}")
    if settings.port == 0:
        url = "the port the system chose (PORT=0)"
    source = f"KNOWLEDGE_PATH {settings.knowledge_path}"
    if settings.knowledge_url:  # its user, password and query may be credentials
        fetched = URL(settings.knowledge_url).with_user(None).with_query(None).with_fragment(None)
        source = f"KNOWLEDGE_URL {fetched}, or {source} when that cannot be fetched"
    lines = [
        f"guidance-bot {version} listening {where}: open {url} for the web chat",
        f"knowledge base: version {knowledge.version}, {len(knowledge.entries)} entries "
        f"({source})",
        f"database: {database_line(settings=settings)}",
        "Web chat: on, at / and POST /api/chat (always)",
    ]
    lines.extend(str(switch) for switch in switches(settings=settings))
    return lines

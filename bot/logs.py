"""Logging: one line per event, plain or JSON (`LOG_FORMAT=json`), each carrying the request id.

A line is one event in either format, whatever a caller put in the text: both escape control
characters and the Unicode line separators (a newline becomes a backslash and an n), and the
plain format indents each line of a traceback under its record, so no line a client wrote can
pass for one of ours.

The request id lives in a context variable, set by the web layer for each request, so every line
logged while serving that request names it without anyone passing it along. Nothing here logs
request bodies, tokens or secrets; `QUIET_LOGGERS` turns down libraries that would.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

request_id: ContextVar[str] = ContextVar("request_id", default="-")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# slack_bolt logs a rejected request's body (signature, timestamp and the whole payload) at INFO
# when signature verification fails; WARNING keeps its real warnings and errors. Bolt copies a
# level onto each logger it creates (slack_bolt.RequestVerification gets the root's INFO when no
# base logger is given), which defeats a parent's level, so the handler filters by name as well.
QUIET_LOGGERS = {"slack_bolt": logging.WARNING, "aiohttp.access": logging.WARNING,
                 "alembic.runtime.plugins": logging.WARNING}


def sane_request_id(candidate: str | None) -> str:
    """The caller's id when it is short and plain (safe to log and echo), else a new one."""
    if candidate and _SANE_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class QuietLibraries(logging.Filter):
    """Drops library records below their `QUIET_LOGGERS` level, whatever level the logger has."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, level in QUIET_LOGGERS.items():
            if (record.name == name or record.name.startswith(name + ".")) and record.levelno < level:
                return False
        return True


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7f, 0xa0))}
_CONTROLS.update({0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x2028: "\\u2028",
                  0x2029: "\\u2029"})
# What json.dumps(ensure_ascii=False) leaves as it is, and line readers still split on.
_JSON_CONTROLS = {code: f"\\u{code:04x}" for code in (*range(0x7f, 0xa0), 0x2028, 0x2029)}
TRACEBACK_INDENT = "    | "


def escape_controls(text: str) -> str:
    return text.translate(_CONTROLS)


class PlainFormatter(logging.Formatter):
    """`PLAIN_FORMAT`, one line per record; a traceback follows on lines of its own, each
    starting with `TRACEBACK_INDENT`."""

    def __init__(self) -> None:
        super().__init__(PLAIN_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        details = []
        if record.exc_info:
            details.append(self.formatException(record.exc_info))
        if record.stack_info:
            details.append(self.formatStack(record.stack_info))
        for detail in details:
            line += "".join(f"\n{TRACEBACK_INDENT}{escape_controls(part)}"
                            for part in detail.split("\n"))
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line; newlines inside messages and tracebacks stay escaped in it."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False).translate(_JSON_CONTROLS)


def configure(*, fmt: str = "plain", level: int | str = logging.INFO,
              stream: TextIO | None = None) -> logging.Handler:
    """Replace the root handlers with one that writes `fmt` ("plain" or "json") to `stream`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(QuietLibraries())
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    return handler

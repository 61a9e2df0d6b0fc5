"""What building the Slack app logs: nothing to act on means nothing logged."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bolt import build_bolt_app, log
from tests.cores import new_core
from tests.memory_store import MemoryStore


def test_starting_with_slack_bot_token_set_logs_no_warning(monkeypatch, caplog, small_kb):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    with caplog.at_level(logging.WARNING, logger=log.name):
        build_bolt_app(core=new_core(knowledge=small_kb), store=MemoryStore(),
                       client=AsyncWebClient(token="xoxb-from-the-environment"),
                       signing_secret="secret")
    assert not caplog.records, caplog.text
    assert not log.filters  # only bolt's one warning was held back, and only while it started

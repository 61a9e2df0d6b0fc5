"""Slack: channels, direct messages, `/guidance` and the App Home, over HTTP or Socket Mode."""

from adapters.slack.setup import setup_slack

__all__ = ["setup_slack"]

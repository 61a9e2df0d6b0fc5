"""The manifests ask for exactly what the code uses: no missing event, no spare scope."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.slack.bolt import BOT_SCOPES, SLASH_COMMAND, SUBSCRIBED_EVENTS

MANIFESTS = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifests"


def load(name: str) -> dict:
    return yaml.safe_load((MANIFESTS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest.socket-mode.yaml"])
def test_a_manifest_subscribes_to_what_the_bot_handles(name):
    manifest = load(name)
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == sorted(SUBSCRIBED_EVENTS)
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_the_http_manifest_points_every_url_at_the_events_route():
    manifest = load("manifest.yaml")
    urls = [manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"],
            manifest["features"]["slash_commands"][0]["url"]]
    assert all(url.startswith("https://") and url.endswith("/slack/events") for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_the_socket_mode_manifest_differs_only_in_transport():
    http, socket = load("manifest.yaml"), load("manifest.socket-mode.yaml")
    assert socket["settings"]["socket_mode_enabled"] is True
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    del http["features"]["slash_commands"][0]["url"]
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http

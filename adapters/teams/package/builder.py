"""The Teams app package: `manifest.json` and two icons in a zip, with the app id filled in.

What Microsoft's manifest schema says (required fields, lengths, patterns, scopes) the test suite
checks against the official schema (`tests/schemas/teams-manifest/`). Checked here is only what
that schema leaves out and a published app should not have: blank names, plain-http links, a
version that is not semver, a `$schema` of another version, no bot, command lists for scopes the
bot lacks, the placeholder id, and the icons themselves.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from adapters.teams.package.png import PngError, decode

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
SOURCE = Path(__file__).resolve().parent  # manifest.json and the icons, beside this file
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
ICON_SIZES = {"color": 192, "outline": 32}
SHOWN_TEXTS = ("name.short", "name.full", "description.short", "description.full",
               "developer.name")
DEVELOPER_URLS = ("developer.websiteUrl", "developer.privacyUrl", "developer.termsOfUseUrl")


class PackageError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


@dataclass(frozen=True, kw_only=True)
class Package:
    manifest: dict
    files: dict[str, bytes]  # name in the zip -> content

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.files.items():
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
        return buffer.getvalue()


def _get(manifest: dict, path: str):
    value = manifest
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _text_problems(manifest: dict) -> list[str]:
    """The schema allows an empty name, an http:// link and any `version` string (its description
    asks for semver, its rules do not), and cannot tie `$schema` to `manifestVersion`."""
    problems = []
    for path in SHOWN_TEXTS:
        value = _get(manifest, path)
        if isinstance(value, str) and not value.strip():
            problems.append(f"manifest: {path} is blank")
    for path in DEVELOPER_URLS:
        value = _get(manifest, path)
        if isinstance(value, str) and not value.startswith("https://"):
            problems.append(f"manifest: {path} must be an https:// URL")
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION.match(version):
        problems.append("manifest: version must look like 1.0.0")
    schema, schema_version = manifest.get("$schema"), manifest.get("manifestVersion")
    if isinstance(schema, str) and schema_version and f"/v{schema_version}/" not in schema:
        problems.append("manifest: $schema and manifestVersion name different versions")
    return problems


def _bot_problems(manifest: dict) -> list[str]:
    """The schema allows an app without a bot, a bot without scopes and commands for scopes the
    bot does not have; this app is a bot, answering where its commands are listed."""
    bots = manifest.get("bots")
    if not isinstance(bots, list) or not bots or not isinstance(bots[0], dict):
        return ["manifest: bots must hold the bot"]
    bot, problems = bots[0], []
    scopes = bot.get("scopes")
    if not isinstance(scopes, list) or not scopes:
        problems.append("manifest: bots[0].scopes must name where the bot works")
        scopes = []
    for index, commands in enumerate(bot.get("commandLists") or []):
        listed = commands.get("scopes") if isinstance(commands, dict) else None
        if isinstance(listed, list) and not set(listed) <= set(scopes):
            problems.append(f"manifest: commandLists[{index}].scopes must be the bot's scopes")
        for command in (commands.get("commands") if isinstance(commands, dict) else None) or []:
            title = command.get("title") if isinstance(command, dict) else None
            if isinstance(title, str) and not title.strip():
                problems.append(f"manifest: commandLists[{index}] has a command with a blank title")
    return problems


def _icon_problems(kind: str, name: str, data: bytes | None) -> list[str]:
    if data is None:
        return [f"icons: {name} ({kind}) is missing"]
    try:
        image = decode(data)
    except PngError as error:
        return [f"icons: {name}: {error}"]
    wanted = ICON_SIZES[kind]
    if (image.width, image.height) != (wanted, wanted):
        return [f"icons: {name} is {image.width}x{image.height}, the {kind} icon must be "
                f"{wanted}x{wanted}"]
    if kind == "outline":
        if not image.has_alpha:
            return [f"icons: {name} must have a transparent background"]
        if any(alpha and (r, g, b) != (255, 255, 255) for r, g, b, alpha in image.pixels):
            return [f"icons: {name} must be white on transparent"]
        if all(alpha for *_, alpha in image.pixels):
            return [f"icons: {name} must have a transparent background"]
    return []


def validate(*, manifest: dict, files: dict[str, bytes]) -> list[str]:
    """Every problem found that the manifest schema cannot express, or an empty list."""
    problems = _text_problems(manifest) + _bot_problems(manifest)
    if manifest.get("id") == PLACEHOLDER_ID:
        problems.append("manifest: id is still the placeholder; pass the real app id")
    icons = manifest.get("icons")
    if not isinstance(icons, dict):
        icons = {}
    for kind in ICON_SIZES:
        name = icons.get(kind)
        if isinstance(name, str) and name:
            problems += _icon_problems(kind, name, files.get(name))
    return problems


def build(*, app_id: str, source: Path) -> Package:
    """The package from `source` (manifest.json and its icons) for the bot `app_id`."""
    app_id = app_id.strip()
    if not GUID.match(app_id):
        raise PackageError([f"--app-id: {app_id!r} is not a GUID; use the bot's Microsoft App "
                            "ID from its Azure app registration"])
    try:
        template = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PackageError([f"{source / 'manifest.json'}: {error}"]) from None
    if not isinstance(template, dict):
        raise PackageError([f"{source / 'manifest.json'}: must be a JSON object"])
    manifest = copy.deepcopy(template)
    manifest["id"] = app_id.lower()
    for bot in manifest.get("bots") or []:
        if isinstance(bot, dict):
            bot["botId"] = app_id.lower()
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()}
    for name in (manifest.get("icons") or {}).values():
        if isinstance(name, str) and "/" not in name and (source / name).is_file():
            files[name] = (source / name).read_bytes()
    problems = validate(manifest=manifest, files=files)
    if problems:
        raise PackageError(problems)
    return Package(manifest=manifest, files=files)

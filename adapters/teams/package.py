"""The Teams app package: `manifest.json` and two icons in a zip, with the app id filled in.

Teams' own upload check says little about what is wrong, so the package is checked here first
against the rules of the manifest schema that a hand edit most often breaks.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from adapters.teams.png import PngError, decode

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SCOPES = frozenset({"personal", "team", "groupchat"})
ICON_SIZES = {"color": 192, "outline": 32}
MIN_MANIFEST_VERSION = (1, 17)


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
    problems = []
    limits = {"name.short": 30, "name.full": 100, "description.short": 80,
              "description.full": 4000, "developer.name": 32}
    required = ("$schema", "manifestVersion", "version", "id", "developer.name",
                "developer.websiteUrl", "developer.privacyUrl", "developer.termsOfUseUrl",
                "name.short", "description.short", "description.full", "icons.color",
                "icons.outline", "accentColor")
    for path in required:
        value = _get(manifest, path)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"manifest: {path} is required")
    for path, limit in limits.items():
        value = _get(manifest, path)
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"manifest: {path} is {len(value)} characters, at most {limit}")
    for path in ("developer.websiteUrl", "developer.privacyUrl", "developer.termsOfUseUrl"):
        value = _get(manifest, path)
        if isinstance(value, str) and value and not value.startswith("https://"):
            problems.append(f"manifest: {path} must be an https:// URL")
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION.match(version):
        problems.append("manifest: version must look like 1.0.0")
    colour = manifest.get("accentColor")
    if isinstance(colour, str) and not COLOUR.match(colour):
        problems.append("manifest: accentColor must be a #RRGGBB colour")
    schema_version = manifest.get("manifestVersion")
    try:
        numbers = tuple(int(part) for part in str(schema_version).split("."))
    except ValueError:
        numbers = ()
    if numbers and numbers < MIN_MANIFEST_VERSION:
        problems.append("manifest: manifestVersion must be 1.17 or later")
    schema = manifest.get("$schema")
    if isinstance(schema, str) and schema_version and f"/v{schema_version}/" not in schema:
        problems.append("manifest: $schema and manifestVersion name different versions")
    return problems


def _bot_problems(manifest: dict) -> list[str]:
    bots = manifest.get("bots")
    if not isinstance(bots, list) or len(bots) != 1 or not isinstance(bots[0], dict):
        return ["manifest: bots must hold exactly one bot"]
    bot, problems = bots[0], []
    if not isinstance(bot.get("botId"), str) or not GUID.match(bot["botId"]):
        problems.append("manifest: bots[0].botId must be the bot's Microsoft app id (a GUID)")
    scopes = bot.get("scopes")
    if not isinstance(scopes, list) or not scopes or not set(scopes) <= SCOPES:
        problems.append("manifest: bots[0].scopes must be some of personal, team, groupchat")
    for index, commands in enumerate(bot.get("commandLists") or []):
        listed = commands.get("commands") if isinstance(commands, dict) else None
        if not isinstance(listed, list) or not 1 <= len(listed) <= 10:
            problems.append(f"manifest: commandLists[{index}] must hold 1 to 10 commands")
            continue
        if not set(commands.get("scopes") or ()) <= set(scopes or ()):
            problems.append(f"manifest: commandLists[{index}].scopes must be the bot's scopes")
        for command in listed:
            title = command.get("title") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(title, str) or not 1 <= len(title) <= 32:
                problems.append(f"manifest: command {title!r}: title must be 1 to 32 characters")
            if not isinstance(description, str) or not 1 <= len(description) <= 128:
                problems.append(f"manifest: command {title!r}: description must be 1 to 128 "
                                "characters")
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
    """Every problem found, or an empty list."""
    problems = _text_problems(manifest) + _bot_problems(manifest)
    app_id = manifest.get("id")
    if not isinstance(app_id, str) or not GUID.match(app_id):
        problems.append("manifest: id must be a GUID (the Microsoft app id)")
    elif app_id == "00000000-0000-0000-0000-000000000000":
        problems.append("manifest: id is still the placeholder; pass the real app id")
    icons = manifest.get("icons") if isinstance(manifest.get("icons"), dict) else {}
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

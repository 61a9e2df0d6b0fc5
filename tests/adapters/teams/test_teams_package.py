"""The Teams app package: the shipped manifest and icons, Microsoft's manifest schema, the builder's
own checks, and the CLI that builds it."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
import zlib

import jsonschema
import pytest

from adapters.cli.main import main
from adapters.teams.package.builder import SOURCE, PackageError, build, validate
from adapters.teams.package.png import PngError, decode, encode, size
from bot.settings import PROJECT_DIR

SCHEMAS = PROJECT_DIR / "tests" / "schemas" / "teams-manifest"
APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


@pytest.fixture
def source(tmp_path):
    copy = tmp_path / "teams"
    shutil.copytree(SOURCE, copy)
    return copy


def edit(source, change):
    path = source / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def zipped_manifest(source=SOURCE) -> dict:
    """The manifest as Teams reads it: out of the zip the builder writes."""
    archive = zipfile.ZipFile(io.BytesIO(build(app_id=APP_ID, source=source).zip_bytes()))
    return json.loads(archive.read("manifest.json"))


def schema_errors(manifest: dict) -> list[str]:
    """What Microsoft's official schema for the manifest's own `manifestVersion` finds wrong, as
    `path: message`."""
    path = SCHEMAS / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.schema.json"
    assert path.is_file(), f"no official schema kept for manifestVersion {manifest['manifestVersion']}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    return sorted("/".join(str(part) for part in error.absolute_path) + ": " + error.message
                  for error in validator.iter_errors(manifest))


def problems_of(source, app_id=APP_ID) -> list[str]:
    with pytest.raises(PackageError) as caught:
        build(app_id=app_id, source=source)
    return list(caught.value.problems)


def test_shipped_package_builds_with_the_app_id_filled_in():
    package = build(app_id=APP_ID.upper(), source=SOURCE)
    archive = zipfile.ZipFile(io.BytesIO(package.zip_bytes()))
    assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert manifest["bots"][0]["scopes"] == ["personal", "team", "groupChat"]
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert titles == ["help", "principles", "principle 1", "today"]
    assert size(archive.read("color.png")) == (192, 192)
    assert size(archive.read("outline.png")) == (32, 32)


def test_the_built_package_passes_microsofts_schema_for_its_manifest_version():
    manifest = zipped_manifest()
    assert manifest["manifestVersion"] == "1.17"
    assert schema_errors(manifest) == []


def lowercase_group_chat(manifest: dict) -> None:
    """The manifest as it was: `groupchat`, which v1.17 spells `groupChat`."""
    for where in (manifest["bots"][0], manifest["bots"][0]["commandLists"][0]):
        where["scopes"] = ["personal", "team", "groupchat"]


@pytest.mark.parametrize("change, expected", [
    (lowercase_group_chat, "bots/0/scopes/2: 'groupchat' is not one of"),
    (lowercase_group_chat, "bots/0/commandLists/0/scopes/2: 'groupchat' is not one of"),
    (lambda m: m.pop("developer"), ": 'developer' is a required property"),
    (lambda m: m["name"].update(short="x" * 31), "name/short: "),
    (lambda m: m.update(accentColor="blue"), "accentColor: "),
    (lambda m: m.update(manifestVersion="1.17", nonsense=True), "Additional properties"),
    (lambda m: m.update(bots=m["bots"] * 2), "bots: "),
    (lambda m: m["bots"][0]["commandLists"][0]["commands"].append(
        {"title": "t" * 33, "description": "d"}), "bots/0/commandLists/0/commands/4/title: "),
    (lambda m: m["bots"][0]["commandLists"][0].update(commands=[
        {"title": f"c{i}", "description": "d"} for i in range(11)]), "bots/0/commandLists/0/commands: "),
])
def test_the_schema_finds_what_teams_would_refuse(source, change, expected):
    """The builder leaves these to the schema: each is caught in the zip it writes."""
    edit(source, change)
    errors = schema_errors(zipped_manifest(source))
    assert any(expected in error for error in errors), errors


def test_template_keeps_its_placeholder():
    manifest = json.loads((SOURCE / "manifest.json").read_text())
    assert manifest["id"] == "00000000-0000-0000-0000-000000000000"


def test_zip_is_reproducible():
    assert build(app_id=APP_ID, source=SOURCE).zip_bytes() == build(
        app_id=APP_ID, source=SOURCE).zip_bytes()


def test_shipped_icons_follow_the_rules():
    colour = decode((SOURCE / "color.png").read_bytes())
    outline = decode((SOURCE / "outline.png").read_bytes())
    assert len(set(colour.pixels)) > 1
    assert outline.has_alpha
    assert {p for p in outline.pixels if p[3]} == {(255, 255, 255, 255)}
    assert any(p[3] == 0 for p in outline.pixels)


@pytest.mark.parametrize("app_id", ["nope", "", "3f2504e0-4f89-41d3-9a0c", APP_ID + "0",
                                    "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"])
def test_app_id_must_be_a_guid(source, app_id):
    assert "is not a GUID" in problems_of(source, app_id)[0]


def test_placeholder_app_id_is_refused(source):
    assert any("placeholder" in p for p in problems_of(source, "00000000-0000-0000-0000-000000000000"))


@pytest.mark.parametrize("change, expected", [
    (lambda m: m["name"].update(short="  "), "name.short is blank"),
    (lambda m: m["description"].update(full=""), "description.full is blank"),
    (lambda m: m["developer"].update(privacyUrl="http://example.com"), "must be an https:// URL"),
    (lambda m: m.update(version="1.0"), "version must look like 1.0.0"),
    (lambda m: m.update(manifestVersion="1.19"), "name different versions"),
    (lambda m: m.pop("bots"), "bots must hold the bot"),
    (lambda m: m.update(bots=[]), "bots must hold the bot"),
    (lambda m: m["bots"][0].update(scopes=[]), "bots[0].scopes must name where the bot works"),
    (lambda m: m["bots"][0].update(scopes=["personal"]), "commandLists[0].scopes must be the bot's"),
    (lambda m: m["bots"][0]["commandLists"][0]["commands"].append(
        {"title": " ", "description": "d"}), "a command with a blank title"),
    (lambda m: m["icons"].update(color="missing.png"), "missing.png (color) is missing"),
])
def test_manifest_problems_are_named(source, change, expected):
    edit(source, change)
    problems = problems_of(source)
    assert any(expected in problem for problem in problems), problems


def test_wrong_icon_sizes_are_named(source):
    (source / "color.png").write_bytes(encode(width=32, height=32, pixels=[(1, 2, 3, 255)] * 1024))
    (source / "outline.png").write_bytes((SOURCE / "color.png").read_bytes())
    problems = problems_of(source)
    assert "icons: color.png is 32x32, the color icon must be 192x192" in problems
    assert "icons: outline.png is 192x192, the outline icon must be 32x32" in problems


@pytest.mark.parametrize("pixels, expected", [
    ([(255, 255, 255, 255)] * 1024, "transparent background"),
    ([(0, 0, 0, 0)] * 1023 + [(255, 0, 0, 255)], "white on transparent"),
])
def test_outline_must_be_white_on_transparent(source, pixels, expected):
    (source / "outline.png").write_bytes(encode(width=32, height=32, pixels=pixels))
    assert any(expected in p for p in problems_of(source))


def test_a_file_that_is_not_a_png_is_named(source):
    (source / "color.png").write_bytes(b"GIF89a...")
    assert "icons: color.png: not a PNG file" in problems_of(source)


def test_broken_manifest_json_is_named(source):
    (source / "manifest.json").write_text("{oops")
    assert "manifest.json" in problems_of(source)[0]


def test_validate_collects_every_problem(source):
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["name"]["short"] = ""
    manifest["developer"]["websiteUrl"] = "http://example.com"
    manifest["bots"][0]["scopes"] = []
    problems = validate(manifest=manifest, files={})
    # the three above, the command list's scopes the bot now lacks, the placeholder, both icons
    assert len(problems) == 7, problems


def test_png_round_trip_and_filters():
    pixels = [(x * 10 % 256, y * 20 % 256, (x + y) % 256, 255 if x % 2 else 0)
              for y in range(5) for x in range(7)]
    image = decode(encode(width=7, height=5, pixels=pixels))
    assert (image.width, image.height, image.pixels) == (7, 5, tuple(pixels))
    # an RGB PNG using the Sub, Up, Average and Paeth filters, as other tools write them
    rows = [b"\x01" + bytes([10, 20, 30, 5, 5, 5]), b"\x02" + bytes([1, 1, 1, 2, 2, 2]),
            b"\x03" + bytes([0, 0, 0, 0, 0, 0]), b"\x04" + bytes([1, 0, 0, 0, 0, 0])]
    header = (13).to_bytes(4, "big") + b"IHDR" + (2).to_bytes(4, "big") + (4).to_bytes(4, "big") + \
        bytes([8, 2, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + header + b"\0\0\0\0"
    body = zlib.compress(b"".join(rows))
    data += len(body).to_bytes(4, "big") + b"IDAT" + body + b"\0\0\0\0"
    image = decode(data)
    assert image.pixels[:4] == ((10, 20, 30, 255), (15, 25, 35, 255), (11, 21, 31, 255),
                                (17, 27, 37, 255))
    assert image.pixels[4] == (5, 10, 15, 255)  # Average: half of the pixel above
    assert image.pixels[6] == (6, 10, 15, 255)  # Paeth picks the pixel above
    assert image.has_alpha is False


def test_png_errors():
    with pytest.raises(PngError):
        decode(b"not a png")
    good = encode(width=2, height=2, pixels=[(0, 0, 0, 0)] * 4)
    for broken in (good[:30], good[:8] + b"\0\0\0\x05IHDR12345\0\0\0\0", good[:-20]):
        with pytest.raises(PngError):
            decode(broken)
    with pytest.raises(PngError):
        encode(width=2, height=2, pixels=[(0, 0, 0, 0)])


def test_cli_writes_the_zip(tmp_path, capsys):
    out = tmp_path / "dist" / "teams.zip"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out)]) == 0
    assert zipfile.ZipFile(out).testzip() is None
    assert APP_ID in capsys.readouterr().err


def test_cli_reports_problems_and_fails(tmp_path, capsys, source):
    edit(source, lambda m: m["developer"].update(websiteUrl="http://example.com"))
    out = tmp_path / "teams.zip"
    code = main(["teams-package", "--app-id", APP_ID, "--out", str(out), "--source", str(source)])
    assert code == 1 and not out.exists()
    assert "developer.websiteUrl must be an https:// URL" in capsys.readouterr().err


def test_cli_requires_the_app_id(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["teams-package"])
    assert exit_.value.code == 2

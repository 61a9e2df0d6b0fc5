"""The Dockerfile as a platform team would use it: build the image, run it, ask /readyz.

Where Docker cannot build here (no client, no engine, or a base image that cannot be pulled), the
test skips and says which. GUIDANCE_BOT_TEST_BASE_IMAGE names a local stand-in for the base image
where Docker Hub is out of reach (docs/deploy.md says how one was made on the project's machines).
It is marked `docker` (and `slow`, in tests/conftest.py), so a quick run (`-m "not slow"`) leaves
it out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DOCKERFILE = PROJECT / "Dockerfile"
BUILD_SECONDS = 1800

pytestmark = pytest.mark.docker


def base_image() -> str:
    """The image the Dockerfile builds FROM: its PYTHON_IMAGE argument's default, or the stand-in."""
    if stand_in := os.environ.get("GUIDANCE_BOT_TEST_BASE_IMAGE"):
        return stand_in
    found = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE.read_text(), re.MULTILINE)
    assert found, "the Dockerfile names its base image in ARG PYTHON_IMAGE"
    return found.group(1)


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


@pytest.fixture(scope="module")
def usable_docker() -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker binary on PATH")
    info = docker("info", "--format", "{{.ServerVersion}}", timeout=60)
    if info.returncode != 0:
        pytest.skip(f"a docker client but no engine to build with: {last_line(info)}")
    image = base_image()
    if docker("image", "inspect", image).returncode != 0:
        pulled = docker("pull", image, timeout=600)
        if pulled.returncode != 0:
            pytest.skip(f"the base image {image} cannot be pulled: {last_line(pulled)}")


@pytest.fixture(scope="module")
def image(usable_docker: None) -> str:
    tag = f"guidance-bot-test:{uuid.uuid4().hex[:12]}"
    # The host's network for the build: pip reaches PyPI exactly as it does outside a container.
    built = docker("build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={base_image()}",
                   "--tag", tag, str(PROJECT), timeout=BUILD_SECONDS)
    assert built.returncode == 0, built.stderr[-4000:]
    yield tag
    docker("image", "rm", "--force", tag)


def wait_for(url: str, container: str, *, attempts: int = 240) -> tuple[int, dict]:
    """GET url until the app answers it (status, JSON body); fails when the container stops."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code != 503:
                return error.code, {}
        except (urllib.error.URLError, ConnectionError):
            pass
        state = docker("inspect", "--format", "{{.State.Running}}", container)
        if state.stdout.strip() != "true":
            raise AssertionError(f"the container stopped:\n{docker('logs', container).stderr[-4000:]}")
        time.sleep(0.5)
    raise AssertionError(f"no answer from {url}:\n{docker('logs', container).stderr[-4000:]}")


def test_the_image_serves_readyz_on_the_port_it_is_given(image: str) -> None:
    name = f"guidance-bot-test-{uuid.uuid4().hex[:12]}"
    started = docker("run", "--detach", "--name", name, "--env", "PORT=8123",
                     "--publish", "127.0.0.1::8123", image)
    assert started.returncode == 0, started.stderr
    try:
        port = docker("port", name, "8123/tcp").stdout.split(":")[-1].strip()
        status, body = wait_for(f"http://127.0.0.1:{port}/readyz", name)
        assert status == 200, body
        assert docker("exec", name, "id", "-u").stdout.strip() != "0"
        health = json.loads(docker("inspect", "--format", "{{json .Config.Healthcheck}}", image).stdout)
        assert "/healthz" in " ".join(health["Test"])
    finally:
        docker("rm", "--force", name)

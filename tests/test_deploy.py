"""The container deployment: Dockerfile, .dockerignore and compose.yaml.

No Docker engine is needed: the Dockerfile is linted (hadolint), compose.yaml is validated against
the Compose Specification schema (check-jsonschema's vendored copy, offline), the facts the image
relies on are asserted, and the image's ENTRYPOINT + CMD is run as a subprocess on a copy of exactly
what the runtime stage COPYs, with the runtime stage's ENV, on SQLite and on PostgreSQL.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DatabaseFactory

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
BIN = Path(sys.executable).parent  # the virtualenv's bin: hadolint, check-jsonschema, the CLI

# Where the runtime stage puts the project (WORKDIR) and the virtualenv.
IMAGE_ROOT = "/app"
IMAGE_VENV_BIN = "/opt/venv/bin"


# --- a small Dockerfile reader --------------------------------------------------------------------


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for instruction, args in self.instructions if instruction == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                values[key] = value
        return values


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return instructions


def _stages() -> list[Stage]:
    stages: list[Stage] = []
    for keyword, args in _instructions(DOCKERFILE.read_text()):
        if keyword == "FROM":
            words = [word for word in args.split() if not word.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append((keyword, args))
    return stages


def _exec_form(args: str | None) -> list[str]:
    assert args is not None
    value = json.loads(args)
    assert isinstance(value, list), f"not in exec (JSON) form: {args}"
    return [str(item) for item in value]


# --- linters --------------------------------------------------------------------------------------


def _run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    tool = BIN / command[0]
    assert tool.exists(), f"{tool} is missing: install the dev extra (`make install`)"
    return subprocess.run(
        [str(tool), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_dockerfile_passes_hadolint() -> None:
    result = _run_tool("hadolint", "--no-color", "--failure-threshold", "info", "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_matches_the_compose_specification_schema() -> None:
    result = _run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.compose-spec", "compose.yaml"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    """Guards the check above against passing vacuously (e.g. a schema that accepts anything)."""
    broken = COMPOSE.read_text().replace(
        "condition: service_completed_successfully", "condition: service_finished"
    )
    assert broken != COMPOSE.read_text()
    (tmp_path / "compose.yaml").write_text(broken)
    result = _run_tool(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.compose-spec",
        str(tmp_path / "compose.yaml"),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "service_finished" in result.stdout


# --- the facts the image relies on ----------------------------------------------------------------


def _is_pinned(image: str) -> bool:
    """A registry image with an explicit tag other than `latest` that names at least major.minor."""
    name, _, digest = image.partition("@")
    if digest:
        return True
    _, _, tag = name.rpartition(":")
    return "/" not in tag and bool(re.match(r"\d+\.\d+", tag)) and tag != "latest"


def test_dockerfile_base_images_are_pinned() -> None:
    stages = _stages()
    assert len(stages) >= 2, "expected a multi-stage build"
    stage_names = {stage.name for stage in stages if stage.name}
    for stage in stages:
        if stage.image in stage_names:
            continue
        assert _is_pinned(stage.image), f"unpinned base image {stage.image}"
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", stage.image), stage.image


def test_dockerfile_runtime_stage() -> None:
    build, runtime = _stages()[0], _stages()[-1]
    user = runtime.last("USER")
    assert user is not None, "the runtime stage must drop root"
    assert user.split(":")[0] not in {"root", "0"}, f"runs as {user}"

    healthcheck = runtime.last("HEALTHCHECK")
    assert healthcheck is not None and "/healthz" in healthcheck

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint = _exec_form(runtime.last("ENTRYPOINT"))
    assert entrypoint == ["diplomatic-events"]
    assert scripts["diplomatic-events"] == "app.cli:main"
    assert _exec_form(runtime.last("CMD")) == ["start"]

    env = runtime.env()
    assert env["DATABASE_URL"] == "sqlite:////data/diplomatic_events.db"
    assert env["PYTHONPATH"] == IMAGE_ROOT
    assert env["PATH"].startswith(IMAGE_VENV_BIN + ":")
    assert runtime.last("WORKDIR") == IMAGE_ROOT

    # Runtime dependencies only, pinned by constraints.txt, installed in the build stage; the
    # runtime stage installs nothing and takes only the virtualenv from it.
    installs = [args for args in build.all("RUN") if "pip install" in args]
    assert installs and all("-c constraints.txt ." in args for args in installs), installs
    assert not any("[dev]" in args for args in installs)
    for args in runtime.all("RUN"):
        assert not re.search(r"pip install|apt-get install|apk add", args), args
    assert [args for args in runtime.all("COPY") if args.startswith("--from")] == [
        f"--from={build.name} /opt/venv /opt/venv"
    ]


def _runtime_copies() -> list[tuple[str, str]]:
    """(source in the build context, destination under WORKDIR) of the runtime stage's COPYs."""
    copies: list[tuple[str, str]] = []
    for args in _stages()[-1].all("COPY"):
        if args.startswith("--"):
            continue
        *sources, destination = args.split()
        for source in sources:
            target = destination
            if target.endswith("/") and not source.endswith("/"):
                target += Path(source).name
            copies.append((source.rstrip("/"), target.rstrip("/").removeprefix("./") or "."))
    return copies


def test_runtime_stage_keeps_the_project_root_layout() -> None:
    """app/config.py: PROJECT_ROOT is app/'s parent and holds pyproject.toml, migrations, seeds."""
    copies = dict(_runtime_copies())
    assert copies == {
        "pyproject.toml": "pyproject.toml",
        "LICENSE": "LICENSE",  # the image carries its terms (README.md, "Rights and citation")
        "CITATION.cff": "CITATION.cff",
        "migrations": "migrations",
        "seeds": "seeds",
        "app": "app",
    }


def test_dockerignore_keeps_local_state_out_and_the_sources_in() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for excluded in (".venv", "var", ".git", "tests", ".env", "**/__pycache__", ".mypy_cache"):
        assert excluded in patterns, f"{excluded} should be in .dockerignore"
    needed = {"constraints.txt", "pyproject.toml", "README.md", "LICENSE", "CITATION.cff", "app"}
    needed |= {"migrations", "seeds"}
    for path in needed:
        assert path not in patterns and f"{path}/" not in patterns, f"{path} is excluded"


# --- compose wiring the schema cannot see ---------------------------------------------------------


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def test_compose_default_is_sqlite_and_postgres_is_a_profile() -> None:
    compose = _compose()
    services: dict[str, dict[str, Any]] = compose["services"]
    assert set(services) >= {"api", "postgres", "migrate", "api-postgres"}  # + `scale`'s

    api = services["api"]
    assert "profiles" not in api, "the SQLite API is what a plain `docker compose up` runs"
    assert api["environment"]["DATABASE_URL"].startswith("sqlite:////data/")
    assert "sqlite-data:/data" in api["volumes"]

    for name in ("postgres", "migrate", "api-postgres"):
        assert services[name]["profiles"][0] == "postgres", name
    postgres = services["postgres"]
    assert _is_pinned(postgres["image"]), postgres["image"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])

    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["entrypoint"][-1] == (
        "diplomatic-events db upgrade && diplomatic-events seed"
    )
    assert services["api-postgres"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    for name in ("migrate", "api-postgres"):
        assert "@postgres:5432/" in services[name]["environment"]["DATABASE_URL"], name

    # Named volumes are declared; the two APIs can run side by side on different host ports.
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):  # named volumes; `./` are bind mounts
            assert volume.split(":")[0] in declared or volume.startswith("./"), volume
    host_ports = [services[name]["ports"][0].rsplit(":", 1)[0] for name in ("api", "api-postgres")]
    assert host_ports[0] != host_ports[1]
    # No real secret: only a marked local default or a value from the environment.
    assert "${POSTGRES_PASSWORD:-local-only-" in postgres["environment"]["POSTGRES_PASSWORD"]


# --- the entrypoint itself ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stage_image_root(destination: Path) -> None:
    """Copy what the runtime stage COPYs (minus what .dockerignore drops) into `destination`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for source, target in _runtime_copies():
        src, dst = ROOT / source, destination / target
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def _image_environment(image_root: Path, database_url: str, port: int) -> dict[str, str]:
    """The runtime stage's ENV, mapped onto this machine, with the test's bind and database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    image_env = _stages()[-1].env()
    for key, value in image_env.items():
        if key == "PATH":
            env[key] = value.replace(IMAGE_VENV_BIN, str(BIN)).replace("$PATH", os.environ["PATH"])
        else:
            env[key] = value.replace(IMAGE_ROOT, str(image_root))
    env.update(DATABASE_URL=database_url, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1")
    return env


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def test_container_entrypoint_migrates_seeds_and_serves(
    backend: str, make_database: DatabaseFactory, tmp_path: Path
) -> None:
    """ENTRYPOINT + CMD (`diplomatic-events start`) on a brand-new database, in the image layout."""
    image_root = tmp_path / "image-root"
    _stage_image_root(image_root)
    port = _free_port()
    env = _image_environment(image_root, make_database(backend), port)
    runtime = _stages()[-1]
    command = _exec_form(runtime.last("ENTRYPOINT")) + _exec_form(runtime.last("CMD"))
    command[0] = str(BIN / command[0])

    # The code that runs is the staged copy: PROJECT_ROOT is the image root, as it is in /app.
    probe = subprocess.run(
        [sys.executable, "-c", "from app.config import PROJECT_ROOT; print(PROJECT_ROOT)"],
        cwd=image_root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == image_root

    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=image_root, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            readiness = _wait_until_ready(server, port, log_path)
            assert readiness["database"] == backend
            assert readiness["dataset_version"], "an empty database is seeded by `start`"
            assert _get_json(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})
        finally:
            server.send_signal(signal.SIGTERM)  # what `docker stop` sends
            try:
                returncode = server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
                pytest.fail(f"SIGTERM did not stop the server:\n{log_path.read_text()[-3000:]}")
    # uvicorn shuts down gracefully, then re-raises the signal: a clean exit is 0 or -SIGTERM.
    assert returncode in {0, -signal.SIGTERM}, log_path.read_text()[-3000:]
    assert "Application shutdown complete" in log_path.read_text()


def _wait_until_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    last: tuple[int, Any] | None = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`start` exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            last = _get_json(f"http://127.0.0.1:{port}/readyz")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            last = None
        if last is not None and last[0] == 200:
            body: dict[str, Any] = last[1]
            return body
        time.sleep(0.25)
    pytest.fail(f"/readyz never answered 200 (last: {last}):\n{log.read_text()[-3000:]}")

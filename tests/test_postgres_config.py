"""The PostgreSQL configuration compose.yaml ships, started for real.

The `postgres` service's `-c` settings (with their default values) are given to a throwaway
cluster of this machine's PostgreSQL (initdb in a temporary directory, a free port): the server
must start with them and report each one as set, and the API must serve from it.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.helpers import free_port
from tests.test_deploy import COMPOSE

# ${NAME:-default} as compose substitutes it when NAME is unset.
DEFAULT_SUBSTITUTION = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")


def _compose_settings() -> dict[str, str]:
    """name -> value of every `-c name=value` of the compose `postgres` service, at defaults."""
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    command: list[str] = compose["services"]["postgres"]["command"]
    assert command[0] == "postgres"
    flags, values = command[1::2], command[2::2]
    assert set(flags) == {"-c"}, command
    settings = {}
    for value in values:
        name, _, setting = DEFAULT_SUBSTITUTION.sub(r"\1", value).partition("=")
        settings[name] = setting
    return settings


def _postgres_binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but PostgreSQL's server binaries (initdb) are missing")
        pytest.skip("PostgreSQL's server binaries are not installed")
    return found[-1].parent


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def configured_server() -> Iterator[tuple[str, dict[str, str]]]:
    binaries = _postgres_binaries()
    settings = _compose_settings()
    workdir = Path(tempfile.mkdtemp(prefix="pg-config-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    subprocess.run(
        _as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
        check=True,
        capture_output=True,
    )
    port = free_port()
    flags = [arg for name, value in settings.items() for arg in ("-c", f"{name}={value}")]
    server = subprocess.Popen(
        _as_postgres(
            [
                str(binaries / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={workdir}",
                *flags,
            ]
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait_until_up(url, server)
        yield url, settings
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    engine = create_engine(url)
    try:
        for _ in range(150):
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"PostgreSQL refused compose's settings:\n{output}")
            try:
                with engine.connect():
                    return
            except OperationalError:
                time.sleep(0.1)
        pytest.fail("PostgreSQL with compose's settings did not start within 15 s")
    finally:
        engine.dispose()


def test_compose_settings_are_for_a_read_mostly_api() -> None:
    settings = _compose_settings()
    assert settings["jit"] == "off"  # compiling costs more than our short queries take
    assert float(settings["random_page_cost"]) <= 1.5  # SSD storage
    assert settings["statement_timeout"]  # a backstop behind QUERY_TIMEOUT_MS


def test_postgres_starts_with_compose_settings_and_applies_each(
    configured_server: tuple[str, dict[str, str]],
) -> None:
    url, settings = configured_server
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            for name, value in settings.items():
                source = connection.execute(
                    text("SELECT source FROM pg_settings WHERE name = :name"), {"name": name}
                ).scalar_one()
                assert source == "command line", (name, source)
                shown = connection.execute(text(f"SHOW {name}")).scalar_one()
                assert shown.lower() == value.lower(), (name, shown, value)
    finally:
        engine.dispose()

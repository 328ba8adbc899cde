"""One settings story: every setting, the command line's included, comes from `Settings`, read
from the environment or the project's `.env` (or ENV_FILE's), and is documented."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app import cli, config
from app.config import ENV_FILE_VARIABLE, Settings, SettingsFileError, get_settings
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
SETTING_NAMES = sorted(name.upper() for name in Settings.model_fields)


def _without_settings(environ: os._Environ[str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k.upper() not in SETTING_NAMES}


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No setting from the caller's shell, and a project root of our own (with no .env yet)."""
    for name in [*SETTING_NAMES, ENV_FILE_VARIABLE]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("name", [*SETTING_NAMES, ENV_FILE_VARIABLE])
def test_setting_is_documented(name: str) -> None:
    readme_table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Settings", 1)[1]
    assert f"`{name}`" in readme_table.split("\n## ", 1)[0]
    assert f"{name}=" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_the_project_env_file_is_read_from_any_working_directory(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    (clean_environment / ".env").write_text("PORT=18703\nCACHE_MAX_AGE=42\n", encoding="utf-8")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / ".env").write_text("PORT=1\n", encoding="utf-8")  # not the project's: ignored
    monkeypatch.chdir(elsewhere)
    settings = Settings()
    assert (settings.port, settings.cache_max_age) == (18703, 42)
    monkeypatch.setenv("PORT", "18704")  # the environment wins over the file
    assert Settings().port == 18704


def test_env_file_names_another_file(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    (clean_environment / ".env").write_text("WEB_CONCURRENCY=2\n", encoding="utf-8")
    chosen = tmp_path_factory.mktemp("conf") / "production.env"
    chosen.write_text("WEB_CONCURRENCY=3\nSEED_ON_START=never\n", encoding="utf-8")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(chosen))
    assert (Settings().web_concurrency, Settings().seed_on_start) == (3, "never")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(chosen.with_name("missing.env")))
    with pytest.raises(SettingsFileError, match="names no file"):
        Settings()


def test_defaults_without_any_file(clean_environment: Path) -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.web_concurrency) == ("127.0.0.1", 8000, 1)
    assert settings.seed_on_start == "empty"
    assert settings.seeds_dir == ROOT / "seeds"


def test_postgres_urls_are_routed_to_psycopg() -> None:
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(cors_origins="https://a.example, https://b.example").cors_origins == [
        "https://a.example",
        "https://b.example",
    ]


def _uvicorn_arguments(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kwargs: captured.update(kwargs))
    result = CliRunner().invoke(cli.cli, list(args))
    assert result.exit_code == 0, result.output
    return captured


def test_serve_takes_host_port_and_workers_from_the_settings(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = clean_environment / "exists.db"
    database.touch()  # serve refuses to start without the SQLite file (it never creates one)
    (clean_environment / ".env").write_text(
        f"HOST=0.0.0.0\nPORT=18705\nDATABASE_URL=sqlite:///{database}\n", encoding="utf-8"
    )
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    served = _uvicorn_arguments(monkeypatch, "serve")
    assert (served["host"], served["port"], served["workers"]) == ("0.0.0.0", 18705, 3)
    get_settings.cache_clear()
    served = _uvicorn_arguments(monkeypatch, "serve", "--port", "18706", "--workers", "1")
    assert (served["host"], served["port"], served["workers"]) == ("0.0.0.0", 18706, 1)


def test_a_bad_setting_is_one_clear_line(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("PORT=eighty\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "app", "db", "current"],
        cwd=ROOT,
        env={**_without_settings(os.environ), ENV_FILE_VARIABLE: str(clean_environment / ".env")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "PORT: Input should be a valid integer" in completed.stderr
    assert "Traceback" not in completed.stderr


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_start_reads_port_and_seed_mode_from_the_env_file(tmp_path: Path) -> None:
    """The reported bug: PORT in `.env` was ignored by the command line. Run `start` from another
    directory with only an env file: it must bind that port and honour SEED_ON_START=never."""
    port = free_port()
    env_file = tmp_path / "settings.env"
    env_file.write_text(
        f"PORT={port}\nSEED_ON_START=never\nDATABASE_URL=sqlite:///{tmp_path / 'start.db'}\n"
        "LOG_LEVEL=WARNING\n",
        encoding="utf-8",
    )
    env = _without_settings(os.environ)
    env[ENV_FILE_VARIABLE] = str(env_file)
    env["PYTHONPATH"] = str(ROOT)
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "start"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0].decode()[-2000:]
            try:
                status, body = _get(f"http://127.0.0.1:{port}/readyz")
                break
            except OSError:
                assert time.monotonic() < deadline, "start never answered on the .env port"
                time.sleep(0.2)
        # Migrated by `start`, but not seeded: SEED_ON_START=never came from the file.
        assert status == 503 and "no dataset" in body["detail"], body
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

"""The commands in README.md and docs/*.md run as written, and the recorded examples still hold.

The markdown convention this test reads:

- A fenced block tagged `sh` holds commands for a reader to run. Each block runs, in document
  order (README.md, then docs/*.md by name), as one `bash -e` script in a copy of the
  repository whose `.venv` is this checkout's; it must exit 0.
- An HTML comment on the line right above a block changes that:
  `<!-- docs-test: skip (needs Docker) -->` or `<!-- docs-test: skip (long run) -->` leaves it
  out; `<!-- docs-test: serves -->` says the block ends by starting the server, so it runs until
  `/readyz` answers 200 and is then stopped; `throwaway-db=NAME` (comma-separated after
  `serves`) says the block creates the PostgreSQL database NAME, which is given a unique name
  and dropped afterwards.
- No command, in a block or in inline code, starts with a bare `python`, `pip` or `pytest`:
  after `make serve` only `.venv/bin/...` has the project's dependencies.
- Every request line of an ```http example is a URL that can be pasted into curl as is.

What the test changes: ports. `PORT=N` gets a free port, as does the `PORT` a block inherits,
and `127.0.0.1:8000` points at a throwaway server on a throwaway database. The copy has no
`.env` and the commands see no setting from this shell, so its own `var/` is the default
database: the developer's `var/` is never touched. After each block the copy's README.md and
docs/ must be unchanged: `.venv/bin/python docs/record_examples.py` is one of the commands, so
an example that no longer matches the server fails here.
"""

import difflib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import migrations
from app.config import ENV_FILE_VARIABLE, Settings
from app.engines import create_db_engine
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset
from tests.conftest import LOCAL_POSTGRES_URL, SEEDS_DIR, _postgres_server_url
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP_REASONS = ("needs Docker", "long run")
MARKER = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->")
FENCE = re.compile(r"^(`{3,})(\S*)\s*$")
BARE_COMMAND = re.compile(r"^(?:[A-Z_]+=\S*\s+)*(?:python3?|pip3?|pytest)\s+\S")
INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
URL_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
DEFAULT_SERVER = "127.0.0.1:8000"
SETTING_NAMES = {name.upper() for name in Settings.model_fields} | {ENV_FILE_VARIABLE}
# The outer `make test` must not leak its flags into the `make serve` of a block.
MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
IGNORED_IN_COPY = shutil.ignore_patterns(
    ".venv", ".git", "var", ".env", "*.db", "__pycache__", ".*_cache", "results", "node_modules"
)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    @property
    def options(self) -> list[str]:
        marker = (self.marker or "").strip()
        if marker.startswith("skip"):
            return [marker]  # its reason may hold commas
        return [part.strip() for part in marker.split(",") if part.strip()]

    @property
    def skipped(self) -> bool:
        return any(option.startswith("skip") for option in self.options)

    @property
    def serves(self) -> bool:
        return "serves" in self.options

    @property
    def throwaway_database(self) -> str | None:
        for option in self.options:
            if option.startswith("throwaway-db="):
                return option.split("=", 1)[1]
        return None


def blocks(document: Path) -> list[Block]:
    """Every fenced block of `document`, with the docs-test marker right above it, if any."""
    found = []
    lines = document.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != opening.group(1):
            end += 1
        marker = MARKER.search(lines[index - 1]) if index else None
        found.append(
            Block(
                document=document,
                line=index + 1,
                language=opening.group(2),
                text="\n".join(lines[index + 1 : end]),
                marker=marker.group(1) if marker else None,
            )
        )
        index = end + 1
    return found


def commands(block: Block) -> list[str]:
    """The command lines of an `sh` block: continuations joined, comments and blanks dropped."""
    joined = re.sub(r"\\\n\s*", " ", block.text)
    return [
        line.strip()
        for line in joined.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


ALL_BLOCKS = [block for document in DOCUMENTS for block in blocks(document)]
SHELL_BLOCKS = [block for block in ALL_BLOCKS if block.language == "sh"]
RUN_BLOCKS = [block for block in SHELL_BLOCKS if not block.skipped]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@dataclass
class Run:
    """A block's script running in the background, its output going to a log file."""

    block: Block
    script: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]
    database: str | None  # the throwaway PostgreSQL database, dropped by `stop`

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait_until_ready(self, *, seconds: float = 120) -> None:
        """Until the block's server answers /readyz with 200 (a migrated, seeded database)."""
        deadline = time.monotonic() + seconds
        while _status(f"http://127.0.0.1:{self.port}/readyz") != 200:
            if self.process.poll() is not None:
                pytest.fail(
                    f"{self.block.where} exited with {self.process.returncode} instead of "
                    f"serving:\n$ {self.script}\n{self.output()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"{self.block.where}: no 200 from /readyz in {seconds:.0f} s")
            time.sleep(0.2)

    def finish(self, *, seconds: float = 180) -> None:
        """Until the script ends; it must exit 0."""
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.block.where} ran longer than {seconds:.0f} s")
        assert self.process.returncode == 0, (
            f"{self.block.where} failed:\n$ {self.script}\n{self.output()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.database is not None:
            _drop_postgres_database(self.database)
            self.database = None


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(LOCAL_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _snapshot(copy: Path) -> dict[Path, str]:
    documents = [
        copy / "README.md",
        *sorted((copy / "docs").glob("*.md")),
        copy / "app" / "api" / "examples.json",
    ]
    return {path.relative_to(copy): path.read_text(encoding="utf-8") for path in documents}


class Sandbox:
    """A copy of the repository sharing this checkout's .venv, and the runs started in it."""

    def __init__(self, path: Path, environment: dict[str, str], logs: Path) -> None:
        self.path = path
        self.environment = environment
        self.logs = logs
        self.server: Run | None = None  # the throwaway server behind 127.0.0.1:8000
        self.servers: dict[Block, Run] = {}  # blocks marked `serves`, started up front

    def start(self, block: Block, *, extra_env: dict[str, str] | None = None) -> Run:
        script = "\n".join(commands(block))
        port = free_port()
        script = re.sub(r"\bPORT=\d+", f"PORT={port}", script)
        if DEFAULT_SERVER in script and self.server is not None:
            script = script.replace(DEFAULT_SERVER, f"127.0.0.1:{self.server.port}")
        database = None
        if block.throwaway_database is not None:
            database = f"docs_test_{uuid.uuid4().hex[:10]}"
            script = re.sub(rf"\b{re.escape(block.throwaway_database)}\b", database, script)
        log = self.logs / f"{block.where.replace('/', '_').replace(':', '_')}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["bash", "-e", "-c", script],
                cwd=self.path,
                env={**self.environment, "PORT": str(port), **(extra_env or {})},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return Run(block, script, port, log, process, database)

    def stop_all(self) -> None:
        for run in [*self.servers.values(), *([self.server] if self.server else [])]:
            run.stop()


def _postgres_written_for_here(block: Block) -> bool:
    """Blocks that create a PostgreSQL database are written for the server at 127.0.0.1:5432."""
    return block.throwaway_database is None or _postgres_server_url() == LOCAL_POSTGRES_URL


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The copy, a throwaway server on a throwaway database, and every `serves` block started
    at once (they use their own ports and databases, and mostly wait on one another's CPU)."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.fail("no .venv: run `make install` (the docs' commands use .venv/bin/...)")
    path = tmp_path_factory.mktemp("docs") / "repo"
    shutil.copytree(ROOT, path, ignore=IGNORED_IN_COPY)
    (path / ".venv").symlink_to(ROOT / ".venv")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in SETTING_NAMES and key not in MAKE_VARIABLES
    }
    # Console scripts would otherwise import the app of this checkout, not the copy's.
    environment["PYTHONPATH"] = str(path)
    # `make` in the copy shares this .venv: it must find nothing to install.
    planned = subprocess.run(
        ["make", "-n", "install"], cwd=path, env=environment, capture_output=True, text=True
    )
    if "pip install" in planned.stdout:
        pytest.fail("the .venv is out of date: run `make install` first (this test never installs)")
    box = Sandbox(path, environment, tmp_path_factory.mktemp("docs-logs"))

    database = tmp_path_factory.mktemp("docs-server") / "server.db"
    url = f"sqlite:///{database}"
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    engine.dispose()
    serve = Block(ROOT / "tests" / "test_docs.py", 0, "sh", ".venv/bin/python -m app serve", None)
    try:
        box.server = box.start(serve, extra_env={"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
        for block in RUN_BLOCKS:
            if block.serves and _postgres_written_for_here(block):
                box.servers[block] = box.start(block)
        yield box
    finally:
        box.stop_all()


@pytest.mark.parametrize("block", RUN_BLOCKS, ids=[block.where for block in RUN_BLOCKS])
def test_commands_run_as_written(block: Block, sandbox: Sandbox) -> None:
    if not _postgres_written_for_here(block):
        pytest.skip(f"{block.where} is written for the PostgreSQL at 127.0.0.1:5432")
    if block.serves:
        run = sandbox.servers[block]
        try:
            run.wait_until_ready()
        finally:
            run.stop()
        return
    # The docs' commands run "after `make serve`": the servers of the blocks above have started.
    for earlier, run in sandbox.servers.items():
        if RUN_BLOCKS.index(earlier) < RUN_BLOCKS.index(block) and run.process.poll() is None:
            run.wait_until_ready()
    if DEFAULT_SERVER in block.text:
        assert sandbox.server is not None
        sandbox.server.wait_until_ready(seconds=60)
    before = _snapshot(sandbox.path)
    run = sandbox.start(block)
    try:
        run.finish()
    finally:
        run.stop()
    after = _snapshot(sandbox.path)
    diff = [
        line
        for path in before
        for line in difflib.unified_diff(
            before[path].splitlines(), after[path].splitlines(), str(path), str(path), lineterm=""
        )
    ]
    assert not diff, (
        f"{block.where} rewrote the docs: they no longer match the server (if the change is "
        "meant, run it here and commit the result):\n" + "\n".join(diff[:60])
    )


def _prose(document: Path) -> str:
    """`document` without its fenced blocks."""
    kept, fence = [], None
    for line in document.read_text(encoding="utf-8").splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_no_command_needs_an_activated_virtualenv(document: Path) -> None:
    written = list(INLINE_CODE.findall(_prose(document)))
    written += [
        line for block in SHELL_BLOCKS if block.document == document for line in commands(block)
    ]
    bare = [command for command in written if BARE_COMMAND.match(command)]
    assert not bare, f"write .venv/bin/... in {document.name}: {bare}"


def test_every_marker_names_a_block_and_a_reason() -> None:
    marked = {(block.document, block.line - 1) for block in ALL_BLOCKS if block.marker}
    for document in DOCUMENTS:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if MARKER.search(line):
                assert (document, number) in marked, f"{document.name}:{number} marks no block"
    for block in SHELL_BLOCKS:
        for option in block.options:
            if option.startswith("skip"):
                assert any(reason in option for reason in SKIP_REASONS), (block.where, option)
            else:
                assert option == "serves" or option.startswith("throwaway-db="), (
                    block.where,
                    option,
                )
    assert RUN_BLOCKS, "no runnable block found: the convention changed?"


def test_example_requests_paste_into_curl() -> None:
    requests = [
        (block.where, block.text.splitlines()[0])
        for block in ALL_BLOCKS
        if block.language == "http"
    ]
    assert len(requests) >= 20
    for where, line in requests:
        method, _, target = line.partition(" ")
        assert method in ("GET", "HEAD", "OPTIONS"), (where, line)
        assert URL_SAFE.fullmatch(target), f"{where}: {target!r} is not a URL curl takes as is"

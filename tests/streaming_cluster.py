"""A PostgreSQL primary and a streaming hot standby of its own, for tests of read replicas.

The machine's cluster on 5432 allows no replication connections, and is never reconfigured or
restarted by a test, so the primary here is a temporary one: `initdb` in a temporary
directory, on a free port, with replication allowed from 127.0.0.1. The standby is made the
way an operator makes one (`pg_basebackup -R -X stream`) and started on another free port.
Everything runs as the `postgres` user when the tests run as root (initdb refuses root), and
everything is stopped and removed by `close`.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from app.readmodel.contract import DATASET_META
from tests.helpers import free_port

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    "fsync": "off",  # a throwaway cluster: nothing to keep across a crash of the machine
    "synchronous_commit": "off",
    "shared_buffers": "32MB",
    "max_connections": "60",
}


def server_binaries() -> Path | None:
    """The directory of Debian's PostgreSQL server binaries (initdb, pg_ctl), if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class StreamingCluster:
    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.root = Path(tempfile.mkdtemp(prefix="diplomatic-replica-"))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary_dir = self.root / "primary"
        self.standby_dir = self.root / "standby"
        self.primary_port = free_port()
        self.standby_port = free_port()
        self.started: list[Path] = []

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def _libpq(self, port: int, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={port} user=postgres dbname={database} connect_timeout=2"

    def start_primary(self) -> None:
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust")
        settings = {**SERVER_SETTINGS, "port": str(self.primary_port)}
        settings["unix_socket_directories"] = f"'{self.root}'"
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._start(self.primary_dir, self.primary_port)

    def make_standby(self) -> None:
        """A base backup of the primary that follows it (`-R`: standby.signal and
        primary_conninfo), started on its own port."""
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.standby_dir), "-R", "-X", "stream", "-c", "fast"),
        )
        with (self.standby_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.standby_port}\n")
        self.start_standby()

    def _start(self, data: Path, port: int) -> None:
        self._run("pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-w", "start")
        if data not in self.started:
            self.started.append(data)
        self._wait(port)

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self._libpq(port)) as connection:
                    connection.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def start_standby(self) -> None:
        self._start(self.standby_dir, self.standby_port)

    def kill_standby(self) -> None:
        """Stop the standby as a crash would (`immediate`: no checkpoint, clients cut off)."""
        self._run("pg_ctl", "-D", str(self.standby_dir), "-m", "immediate", "-w", "stop")

    def standby_sql(self, sql: str, database: str = "postgres") -> object:
        with psycopg.connect(self._libpq(self.standby_port, database), autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
        return row[0] if row else None

    def create_database(self, name: str) -> None:
        with psycopg.connect(self._libpq(self.primary_port), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def wait_for_replay(self, database: str, version: str) -> None:
        """Until the standby holds dataset `version` (the primary's latest)."""
        deadline = time.monotonic() + 30
        sql = f"SELECT version FROM {DATASET_META}"
        while self.standby_sql(sql, database) != version:
            assert time.monotonic() < deadline, "the standby never replayed the reseed"
            time.sleep(0.1)

    def close(self) -> None:
        for data in reversed(self.started):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                    self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

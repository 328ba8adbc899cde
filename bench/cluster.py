"""A serving cluster on this machine, without containers: a temporary PostgreSQL primary and
streaming standby (Debian's server binaries, their own ports and directories; the machine's own
cluster on 5432 is never touched), API processes (`python -m app serve`) and Debian's nginx on the
repository's configuration (docs/nginx/). Everything started is tracked and stopped by `close()`.
Used by the scale check (bench/scale_check.py) and the caching-proxy bench (bench/proxy_cache.py).
"""

import contextlib
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import Processes

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = ROOT / "docs" / "nginx"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# nginx connects to the API from this loopback address, the only one the API processes trust
# for X-Forwarded-For (FORWARDED_ALLOW_IPS): a client on 127.0.0.1 cannot forge its address.
PROXY_SOURCE = "127.0.0.2"


class ClusterError(Exception):
    """Something the cluster needs did not start or answer."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection: status, headers (lower-case names), body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass
class Api:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None


class Cluster:
    """Owns a temporary directory and every process started in it."""

    def __init__(self, prefix: str = "scale-check") -> None:
        self.work = Path(tempfile.mkdtemp(prefix=f"{prefix}."))
        self.work.chmod(0o755)  # the postgres user and nginx's workers reach their directories
        self.spawner = Processes()
        self.processes: list[subprocess.Popen[bytes]] = []  # every one, to check none survives
        self.pg_dirs: list[Path] = []
        self.nginx_pid: Path | None = None
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    # --- processes -----------------------------------------------------------------------
    def spawn(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """In its own process group (bench/servers.py's Processes), killed as one."""
        process = self.spawner.spawn(command, env=env, log=log)
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    # --- PostgreSQL ----------------------------------------------------------------------
    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, cwd="/")
        if check and result.returncode:
            raise ClusterError(f"{Path(args[0]).name} failed: {result.stdout}{result.stderr}")
        return result

    def _pg_dir(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(mode=0o700)
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)
        self.pg_dirs.append(path)
        return path

    def pg_start(self, data: Path, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}"
        result = self._pg(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", f"{data}/log",
            "-w", "-t", "30", "start", check=False,
        )  # fmt: skip
        if result.returncode:
            log = (data / "log").read_text(errors="replace")[-1500:]
            raise ClusterError(f"PostgreSQL in {data} did not start: {result.stderr}{log}")

    def pg_stop(self, data: Path, mode: str = "fast") -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop", check=False)

    def primary(self, port: int) -> Path:
        """A new primary that allows streaming replication from 127.0.0.1 (initdb's trust
        pg_hba has the replication lines). fsync off: the cluster is thrown away."""
        data = self._pg_dir("primary")
        self._pg(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
                "max_connections = 60\n"
            )
        self.pg_start(data, port)
        return data

    def standby(self, primary_port: int, port: int) -> Path:
        """A streaming hot standby of the primary: pg_basebackup -R (standby.signal and
        primary_conninfo) into its own directory, started on its own port."""
        data = self._pg_dir("standby")  # empty, the postgres user's: pg_basebackup fills it
        self._pg(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "postgres",
            "-D",
            str(data),
            "-X",
            "stream",
            "-R",
            "--checkpoint=fast",
        )  # fmt: skip  (the default waits for a spread checkpoint)
        self.pg_start(data, port)
        return data

    def psql(self, port: int, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    # --- the API -------------------------------------------------------------------------
    def app_command(self, env: dict[str, str], *args: str) -> str:
        """A CLI command (db upgrade, seed) to completion; its output."""
        result = subprocess.run(
            [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            raise ClusterError(f"app {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def api(self, name: str, settings: dict[str, str]) -> Api:
        env = {**os.environ, "LOG_LEVEL": "WARNING", "FORWARDED_ALLOW_IPS": PROXY_SOURCE}
        env.update(settings)
        api = Api(name, free_port(), env, self.work / f"{name}.log")
        self.start_api(api)
        return api

    def start_api(self, api: Api) -> None:
        command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1",
                   "--port", str(api.port), "--workers", "1"]  # fmt: skip
        api.process = self.spawn(command, api.env, api.log)

    def wait_ready(self, api: Api, within: float = 60) -> float:
        """Seconds until /readyz answers 200."""
        started = time.monotonic()
        while time.monotonic() - started < within:
            if api.process is not None and api.process.poll() is not None:
                raise ClusterError(f"{api.name} exited: {api.log.read_text()[-1500:]}")
            with contextlib.suppress(OSError):
                if get(api.port, "/readyz", timeout=2)[0] == 200:
                    return time.monotonic() - started
            time.sleep(0.1)
        raise ClusterError(f"{api.name} not ready within {within} s: {api.log.read_text()[-1500:]}")

    # --- nginx ---------------------------------------------------------------------------
    def nginx(self, upstream_ports: list[int], *, workers: int = 1) -> int:
        """Debian's nginx on docs/nginx/api.conf, in front of the given API ports; its port."""
        port = free_port()
        home = self.work / "nginx"
        for sub in ("cache", "tmp"):
            (home / sub).mkdir(parents=True)
            (home / sub).chmod(0o777)  # nginx's workers run as nobody when started as root
        (home / "upstreams.conf").write_text(render_upstreams(upstream_ports))
        (home / "api.conf").write_text(render_api_conf(port, home / "cache"))
        temp = "\n".join(
            f"    {kind}_temp_path {home}/tmp/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        (home / "nginx.conf").write_text(
            f"{user}worker_processes {workers};\npid {home}/nginx.pid;\n"
            f"error_log {home}/error.log warn;\nevents {{ worker_connections 4096; }}\n"
            f"http {{\n    access_log off;\n{temp}\n"
            f"    include {home}/upstreams.conf;\n    include {home}/api.conf;\n}}\n"
        )
        binary = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's, off a user's PATH
        command = [binary, "-p", str(home), "-e", str(home / "error.log"), "-c",
                   str(home / "nginx.conf"), "-g", "daemon off;"]  # fmt: skip
        process = self.spawn(command, dict(os.environ), home / "stdout.log")
        self.nginx_pid = home / "nginx.pid"
        started = time.monotonic()
        while time.monotonic() - started < 10:
            if process.poll() is not None:
                raise ClusterError(f"nginx exited: {(home / 'error.log').read_text()[-1500:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return port
            time.sleep(0.1)
        raise ClusterError("nginx did not listen within 10 s")

    # --- the way out ---------------------------------------------------------------------
    def close(self) -> list[str]:
        """Stop everything started, remove the directory; what is still alive (should be [])."""
        for process in reversed(self.processes):
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
        for data in reversed(self.pg_dirs):
            if (data / "postmaster.pid").exists():
                self.pg_stop(data, "immediate")
        alive = [f"pid {p.pid}" for p in self.processes if p.poll() is None]
        for data in self.pg_dirs:
            if (data / "postmaster.pid").exists():
                alive.append(f"PostgreSQL in {data}")
        shutil.rmtree(self.work, ignore_errors=True)
        return alive


def render_upstreams(ports: list[int]) -> str:
    """docs/nginx/upstreams.conf with its `server` lines replaced by loopback ports (same
    parameters), everything else kept."""
    text = (NGINX_DIR / "upstreams.conf").read_text()
    lines = text.splitlines()
    servers = [line for line in lines if line.strip().startswith("server ")]
    if not servers:
        raise ClusterError("docs/nginx/upstreams.conf has no server line")
    params = servers[0].split(None, 2)[2]  # "api-1:8000 max_fails=..;" -> "max_fails=..;"
    first = lines.index(servers[0])
    new = [f"    server 127.0.0.1:{port} {params}" for port in ports]
    kept = [line for line in lines if line not in servers]
    return "\n".join(kept[:first] + new + kept[first:]) + "\n"


def render_api_conf(port: int, cache: Path) -> str:
    """docs/nginx/api.conf with the listen address, the cache path and nginx's source address
    replaced; each replacement must apply exactly once, so the file cannot drift from this."""
    text = (NGINX_DIR / "api.conf").read_text()
    for old, new in (
        ("listen 8080;", f"listen 127.0.0.1:{port} reuseport;"),
        ("/var/cache/nginx/api ", f"{cache} "),
        ("proxy_pass http://api;", f"proxy_pass http://api;\n        proxy_bind {PROXY_SOURCE};"),
    ):
        if text.count(old) != 1:
            raise ClusterError(f"docs/nginx/api.conf should contain {old!r} once")
        text = text.replace(old, new)
    return text


def version_of(headers: dict[str, str]) -> str | None:
    return headers.get("x-dataset-version")


def problem(body: bytes) -> dict[str, object]:
    with contextlib.suppress(ValueError):
        value = json.loads(body)
        if isinstance(value, dict):
            return value
    return {}


def next_link(headers: dict[str, str]) -> str | None:
    match = re.search(r'<([^>]+)>;\s*rel="next"', headers.get("link", ""))
    return match.group(1) if match else None

"""The `scale` profile (compose.yaml) and the nginx configuration it mounts (docs/nginx/):
replicas behind nginx, retries of idempotent requests, keep-alive upstreams, the forwarded
address trusted from nginx only, a cache keyed on every header the API varies on. nginx itself
checks the configuration, and a live nginx in front of an API process must keep variants apart,
answer 304s and never cache an error. docs/scaling.md has the measurements."""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.cluster import NGINX_DIR, Cluster, render_api_conf, render_upstreams
from bench.proxy_cache import correctness
from tests.conftest import ClientFactory

ROOT = Path(__file__).resolve().parent.parent
API_CONF = (NGINX_DIR / "api.conf").read_text()
UPSTREAMS = (NGINX_DIR / "upstreams.conf").read_text()


def _nginx() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but nginx is missing: apt-get install -y nginx")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    return binary


def _directive(name: str) -> list[str]:
    """Every value of an nginx directive in api.conf (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", API_CONF)
    return [m.group(1).strip() for m in re.finditer(rf"^\s*{name}\s+([^;]*);", text, re.M)]


def test_scale_profile_puts_nginx_in_front_of_replicas_on_readyz() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services: dict[str, dict[str, Any]] = compose["services"]
    replicas = sorted(name for name, s in services.items() if s.get("command") == ["serve"])
    assert replicas == ["api-1", "api-2", "api-3"]
    nginx = services["nginx"]
    assert nginx["profiles"] == ["scale"]
    for name in replicas:
        replica = services[name]
        assert replica["profiles"] == ["scale"]
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
        assert nginx["depends_on"][name] == {"condition": "service_healthy"}
        assert replica["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        # Only nginx's own fixed address may say who the client is.
        proxy_address = nginx["networks"]["scale"]["ipv4_address"]
        assert replica["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
        assert "ports" not in replica, "replicas are reached through nginx only"
    assert (
        "scale" in services["postgres"]["profiles"] and "scale" in services["migrate"]["profiles"]
    )
    # nginx's upstream names exactly the replicas, and its mounts are the repository's files.
    servers = re.findall(r"^\s*server\s+([\w-]+):8000\s", UPSTREAMS, re.M)
    assert sorted(servers) == replicas
    for volume in nginx["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).is_file(), source


def test_nginx_retries_idempotent_requests_and_keeps_upstreams_alive() -> None:
    (retry,) = _directive("proxy_next_upstream")
    assert set(retry.split()) >= {"error", "timeout", "http_502", "http_503", "http_504"}
    assert "non_idempotent" not in retry, "only GET and HEAD may be retried"
    assert _directive("proxy_next_upstream_tries") and _directive("proxy_next_upstream_timeout")
    assert re.search(r"^\s*keepalive\s+\d+;", UPSTREAMS, re.M)
    assert all("max_fails=" in line for line in UPSTREAMS.splitlines() if " server " in line)
    assert _directive("proxy_http_version") == ["1.1"]
    assert 'Connection ""' in _directive("proxy_set_header")
    # The edge overwrites the client's X-Forwarded-For instead of appending to it.
    assert "X-Forwarded-For $remote_addr" in _directive("proxy_set_header")


def test_cache_key_names_every_header_the_api_varies_on(make_client: ClientFactory) -> None:
    client = make_client(cors_origins=["https://a.example"])  # CORS varies: Vary names Origin
    response = client.get("/v1/events?limit=1", headers={"Origin": "https://a.example"})
    varied = [h.strip().lower() for h in response.headers["vary"].split(",")]
    assert varied
    (key,) = _directive("proxy_cache_key")
    for header in varied:
        assert f"$http_{header.replace('-', '_')}" in key, header
    assert "$request_uri" in key
    assert not [v for v in _directive("proxy_cache_valid") if re.search(r"\b[45]\d\d\b|any", v)], (
        "errors must never be cached whatever they say"
    )


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = _nginx()
    (tmp_path / "cache").mkdir()
    (tmp_path / "upstreams.conf").write_text(render_upstreams([18001, 18002, 18003]))
    (tmp_path / "api.conf").write_text(render_api_conf(18080, tmp_path / "cache"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        f"    include {tmp_path}/upstreams.conf;\n    include {tmp_path}/api.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[int, int]]:
    """An API process on a seeded SQLite file and nginx with the repository's cache in front."""
    _nginx()
    cluster = Cluster("test-proxy")
    try:
        url = f"sqlite:///{cluster.work / 'api.db'}"
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        cluster.app_command(env, "db", "upgrade")
        cluster.app_command(env, "seed")
        origin = cluster.api(
            "origin", {"DATABASE_URL": url, "CORS_ORIGINS": "https://explorer.example"}
        )
        cluster.wait_ready(origin)
        yield origin.port, cluster.nginx([origin.port])
    finally:
        assert cluster.close() == []


def test_proxy_keeps_variants_apart_answers_304_and_never_caches_errors(
    proxied: tuple[int, int],
) -> None:
    origin, proxy = proxied
    urls = ["/v1/events?limit=2", "/v1/events/2001-treaty-of-good-neighbourliness-signed",
            "/v1/events.csv?country=CN", "/v1/leaders?limit=2"]  # fmt: skip
    assert correctness(origin, proxy, urls) == []

"""Small assertions shared by the HTTP tests."""

import socket
from typing import Any

import httpx2 as httpx

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in ok(response)["items"]]


def assert_problem(
    response: httpx.Response, status: int, *, parameter: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, naming `parameter` if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["detail"] and "Traceback" not in response.text
    if parameter is not None:
        assert parameter in body["detail"]
        assert any(error["parameter"] == parameter for error in body["errors"]), body
    return body


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

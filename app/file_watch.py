"""Serving follows the SQLite file at the configured path, one version at a time.

An operator may replace the database file while the service runs (`mv new.db live.db`) or
delete it. Long-lived pooled connections would keep reading the old file while new ones opened
the new one, so answers would alternate between two dataset versions. Before a request reads,
the file's identity (device and inode) is compared with the one the connections were opened
on (one `stat`, a few microseconds): when it changed, every pool is emptied at once, so every
later read opens the new file (a request already reading finishes on the snapshot it began);
when the file is gone, requests and /readyz answer 503 until it is back.
"""

import logging
import os
import threading
from pathlib import Path
from typing import Any

from app.engines import Engines, sqlite_file
from app.errors import ProblemError

logger = logging.getLogger("app.database")
Identity = tuple[int, int]


def _identity(path: Path) -> Identity | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


class DatabaseFileWatch:
    """The identity of the SQLite file the app's connections read."""

    def __init__(self, path: Path, engines: list[Any]) -> None:
        self.path = path
        self.engines = engines  # what to empty when the file changes (Engines, probe engine)
        self.identity = _identity(path)
        self._lock = threading.Lock()

    def check(self) -> None:
        """Empty every pool if the file was replaced; a 503 problem if it is gone."""
        now = _identity(self.path)
        if now == self.identity:
            if now is None:
                raise _missing(self.path)
            return
        with self._lock:
            if now != self.identity:
                for engines in self.engines:
                    engines.dispose()
                logger.warning(
                    "the database file %s was %s: every connection reopens it",
                    self.path,
                    "deleted" if now is None else "replaced",
                )
                self.identity = now
        if now is None:
            raise _missing(self.path)


def _missing(path: Path) -> ProblemError:
    return ProblemError(
        503,
        f"The database file is missing ({path.name}); the operator must restore it or run "
        "`python -m app db upgrade` and `python -m app seed`.",
        slug="unavailable",
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


def watch_database_file(app: Any, database_url: str) -> None:
    """Watch the app's SQLite file, if it serves one."""
    path = sqlite_file(database_url) if database_url.startswith("sqlite") else None
    if path is not None:
        app.state.database_file = DatabaseFileWatch(
            path, [app.state.engines, app.state.probe_engine]
        )


def current_engines(app: Any) -> Engines:
    """The app's serving engines, after checking the file they read is still the same one."""
    watch: DatabaseFileWatch | None = getattr(app.state, "database_file", None)
    if watch is not None:
        watch.check()
    engines: Engines = app.state.engines
    return engines

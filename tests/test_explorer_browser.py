"""Each kind of explorer page in headless Chromium: no console errors, no serious or critical
axe-core violations, readable at 375 px without sideways scrolling, reachable by keyboard.

Screenshots (375 and 1280 px wide) go to tests/browser/screenshots/ (git-ignored) for a person
to look at. Chromium is the Debian package; axe-core is pinned in tests/browser/package.json
(`npm ci --prefix tests/browser`; `make test` installs both). Under CI=true a missing one fails.
"""

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cdp import Tab, chromium
from tests.helpers import cli_server

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
AXE = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = BROWSER_DIR / "screenshots"
CHROMIUM = shutil.which("chromium")

# One of each kind of page, and the two kinds of error page.
PAGES = {
    "home": "/",
    "home-months": "/?granularity=month",
    "search": "/search?q=Taiwan",
    "events": "/events",
    "events-filtered": "/events?kind=video_call&kind=phone_call&country=CN&sort=-date",
    "event": "/events/2025-01-21-putin-xi-video-call",
    "leaders": "/leaders",
    "leader": "/leaders/vladimir-putin?q=amico",
    "quote": "/quotes/q-2025-01-21-putin-caro-amico",
    "trade": "/trade",
    "observation": "/trade/observations/t-004-2018-total-100-first-time",
    "sources": "/sources",
    "source": "/sources/anon-2021-12-15-putin-xi-videoconferenza",
}
ERROR_PAGES = {"not-found": "/events/no-such-event", "bad-filter": "/events?date=2021-13"}


def _missing() -> str | None:
    if CHROMIUM is None:
        return "Chromium is not installed (apt-get install chromium)"
    if not AXE.is_file():
        return "axe-core is not installed (npm ci --prefix tests/browser)"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = _missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {missing}; the browser tests cannot be skipped")
        pytest.skip(missing)
    root = tmp_path_factory.mktemp("explorer")
    workdir = root / "run"
    workdir.mkdir()
    url = f"sqlite:///{root / 'explorer.db'}"
    with cli_server(workdir, root / "server.log", DATABASE_URL=url) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def tab(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tab]:
    assert CHROMIUM is not None
    with chromium(CHROMIUM, tmp_path_factory.mktemp("profile")) as browser:
        yield browser


def _axe_violations(tab: Tab) -> list[dict[str, object]]:
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.evaluate(AXE.read_text())
    found = tab.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
        "r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))",
        await_promise=True,
    )
    violations: list[dict[str, object]] = json.loads(found)
    return violations


@pytest.mark.parametrize("name", [*PAGES, *ERROR_PAGES])
def test_page_loads_cleanly_and_passes_axe(tab: Tab, site: str, name: str) -> None:
    path = PAGES.get(name) or ERROR_PAGES[name]
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (375, 1280):
        tab.open(site + path, width=width)
        errors = tab.errors()
        if name in ERROR_PAGES:  # the browser reports the page's own 4xx status; nothing else
            errors = [e for e in errors if "the server responded with a status of 4" not in e]
        assert errors == [], errors
        assert tab.evaluate("document.querySelector('main h1') !== null")
        assert tab.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        tab.screenshot(SCREENSHOTS / f"{name}-{width}.png")
    serious = [v for v in _axe_violations(tab) if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)


def test_keyboard_reaches_the_skip_link_and_the_main_content(tab: Tab, site: str) -> None:
    tab.open(site + "/events", width=1280)
    tab.press_tab()
    assert tab.evaluate("document.activeElement.className") == "skip"
    tab.evaluate("document.activeElement.click()")
    assert tab.evaluate("location.hash") == "#main"
    for _ in range(8):  # then the navigation, then the filter form's first field
        tab.press_tab()
    assert tab.evaluate("document.activeElement.tagName") in ("A", "INPUT", "SELECT")

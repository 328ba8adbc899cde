"""Reading the explorer's HTML in tests: links, element ids and classes, text by class."""

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx2 as httpx


@dataclass
class Page:
    """What a test reads from one page."""

    links: list[str] = field(default_factory=list)  # every href, in order
    ids: set[str] = field(default_factory=set)
    classes: dict[str, int] = field(default_factory=dict)  # class name -> elements with it
    text: str = ""  # the visible text, unescaped, whitespace collapsed

    def count(self, css_class: str) -> int:
        return self.classes.get(css_class, 0)


# Elements that run inside a line of text: any other tag separates words.
INLINE = {
    "a",
    "abbr",
    "b",
    "code",
    "em",
    "i",
    "mark",
    "q",
    "small",
    "span",
    "strong",
    "sup",
    "time",
}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in INLINE:
            self.chunks.append(" ")
        if tag in ("style", "script", "title") and not self.skipping:
            self.skipping = 1
        if found.get("href") is not None:
            self.page.links.append(found["href"] or "")
        if found.get("id"):
            self.page.ids.add(found["id"] or "")
        for name in (found.get("class") or "").split():
            self.page.classes[name] = self.page.classes.get(name, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.chunks.append(" ")
        if tag in ("style", "script", "title"):
            self.skipping = 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def read_page(response: httpx.Response) -> Page:
    """The page of a 200 text/html response."""
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    reader = _Reader()
    reader.feed(response.text)
    reader.close()
    reader.page.text = " ".join(html.unescape("".join(reader.chunks)).split())
    return reader.page


def squash(text: str) -> str:
    """`text` with its whitespace collapsed, to find it in a page's text."""
    return " ".join(text.split())

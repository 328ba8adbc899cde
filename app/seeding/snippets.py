"""Seed records written as the seed files write them, for a curator to paste: `seed --check`'s
messages and the draft (app/drafting) both print records this way."""

import json
import re
from typing import Any

from app.seeding.spans import find_span

# A slug or vocabulary word YAML reads back as the same string: not a date, number or keyword.
_BARE = re.compile(
    r"^(?=.*[a-z])(?!(?:null|true|false|yes|no|on|off)$)[a-z0-9][a-z0-9_]*(?:-[a-z0-9_]+)*$"
)


def scalar(value: Any) -> str:
    """One YAML value in the seed files' style: strings double-quoted, null, flow lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if _BARE.match(str(value)):
        return str(value)  # ids and vocabulary words, written bare as the seed files do
    # JSON's escaping is YAML's double-quoted style; non-ASCII stays readable.
    return json.dumps(str(value), ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, str) and value.replace("-", "").replace("_", "").isalnum():
        return value
    return scalar(value)


def record_yaml(record: dict[str, Any], indent: str = "") -> str:
    """A record as a YAML list item; a list of mappings (participants, sources) one per line."""
    lines = []
    for index, (key, value) in enumerate(record.items()):
        lead = f"{indent}- " if index == 0 else f"{indent}  "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{key}:")
            for item in value:
                if len(item) <= 2:
                    lines.append(f"{indent}    - {scalar(item)}")
                else:
                    lines.append(record_yaml(item, indent + "    "))
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
    return "\n".join(lines)


def occurrence_at(text: str, passage: str, start: int) -> int | None:
    """Which occurrence of `passage` (counted as the loader counts, with str.find) begins at
    `start`, or None when none does."""
    number = 1
    while (span := find_span(text, passage, number)) is not None:
        if span[0] == start:
            return number
        if span[0] > start:
            return None
        number += 1
    return None


def occurrences(text: str, passage: str) -> list[int]:
    """The start of every occurrence of `passage`, in the loader's numbering (1 first)."""
    starts, number = [], 1
    while (span := find_span(text, passage, number)) is not None:
        starts.append(span[0])
        number += 1
    return starts

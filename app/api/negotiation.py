"""Content negotiation: which representation a list or item request gets."""

from typing import Literal

from fastapi import Request

from app.errors import ProblemError

Format = Literal["json", "csv", "ndjson"]
MEDIA_TYPES: dict[str, Format] = {
    "application/json": "json",
    "application/*": "json",
    "*/*": "json",
    "text/csv": "csv",
    "text/*": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
}


def _accepted(accept: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, index, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(request: Request, requested: str | None, *, allowed: tuple[Format, ...]) -> Format:
    """The response format: `format=` wins, else the best match of Accept, else 406."""
    if requested is not None:
        return requested  # type: ignore[return-value]  # validated by the Query enum
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return "json"
    for media in _accepted(accept):
        chosen = MEDIA_TYPES.get(media)
        if chosen in allowed:
            return chosen
        if media == "application/problem+json" and "json" in allowed:
            return "json"
    offered = ", ".join(
        sorted({media for media, fmt in MEDIA_TYPES.items() if fmt in allowed and "*" not in media})
    )
    raise ProblemError(
        406,
        f"Cannot answer with any type in Accept: {accept[:100]}. This endpoint offers {offered}"
        + (" (or use format=csv|ndjson)." if len(allowed) > 1 else "."),
    )

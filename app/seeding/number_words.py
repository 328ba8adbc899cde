"""Italian numbers as papers print them: digits ("244,8", "1.000") or words ("dieci", "centoventi",
"due e mezzo"), and the scale words that make them figures ("miliardi", "mln").

A hand-written lexicon (no dependency): Italian number words are built from a few dozen stems,
with the elision rule that drops a tens word's last vowel before "uno" and "otto" (ventuno,
trentotto).
"""

import re
from decimal import Decimal

UNITS = {
    "zero": 0, "uno": 1, "un": 1, "una": 1, "due": 2, "tre": 3, "tré": 3, "quattro": 4,
    "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11,
    "dodici": 12, "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16,
    "diciassette": 17, "diciotto": 18, "diciannove": 19,
}  # fmt: skip
TENS = {
    "venti": 20, "trenta": 30, "quaranta": 40, "cinquanta": 50, "sessanta": 60,
    "settanta": 70, "ottanta": 80, "novanta": 90,
}  # fmt: skip
# Scale words after a number, with their power of ten; "mila" is the plural of "mille".
SCALES = {
    "miliardi": 9, "miliardo": 9, "mld": 9, "mld.": 9, "mrd": 9,
    "milioni": 6, "milione": 6, "mln": 6, "mln.": 6,
}  # fmt: skip
_STEMS = sorted(
    [*UNITS, *TENS, *(t[:-1] for t in TENS), "cento", "cent", "mille", "mila"],
    key=len,
    reverse=True,
)
_WORD_PART = "|".join(_STEMS)
NUMBER_WORD = rf"(?:(?:{_WORD_PART})+(?:\s+e\s+mezzo)?|mezzo)"
DIGITS = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
SCALE_WORD = r"(?:miliard[io]|milion[ei]|mld\.?|mln\.?|mrd)"
# A number followed by a scale word: what `seed --check` lists and the draft reads as a figure.
FIGURE = re.compile(rf"(?<![\w,.])(?:(?:{DIGITS})|(?i:{NUMBER_WORD}))\s+(?i:{SCALE_WORD})(?![\w])")


def word_value(word: str) -> int | None:
    """The value of one Italian number word ("centoventitré" -> 123), or None."""
    word = word.lower().replace("é", "e")
    if not word:
        return None
    if word in UNITS:
        return UNITS[word]
    if "mila" in word:
        head, _, tail = word.partition("mila")
        thousands = word_value(head)
        rest = word_value(tail) if tail else 0
        return thousands * 1000 + rest if thousands and thousands > 1 and rest is not None else None
    if word.startswith("mille"):
        rest = word_value(word[5:]) if word[5:] else 0
        return 1000 + rest if rest is not None else None
    if "cent" in word:
        head, _, tail = word.partition("cent")
        hundreds = word_value(head) if head else 1
        rest = word_value(tail) if tail else 0
        if rest is None and tail.startswith("o"):  # the o of "cento": centodieci, centouno
            rest = word_value(tail[1:]) if tail[1:] else 0
        if hundreds and rest is not None:
            return hundreds * 100 + rest
        return None
    for tens_word, tens in TENS.items():
        for stem in (tens_word, tens_word[:-1]):
            if word.startswith(stem):
                tail = word[len(stem) :]
                if not tail:
                    return tens if stem == tens_word else None
                unit = UNITS.get(tail)
                if unit is not None and unit < 10:
                    return tens + unit
    return None


def parse_number(written: str) -> Decimal | None:
    """The value of a number as printed: "244,8", "1.000", "dieci", "due e mezzo", "mezzo"."""
    written = written.strip()
    if re.fullmatch(DIGITS, written):
        return Decimal(written.replace(".", "").replace(",", "."))
    words = written.lower().split()
    if words == ["mezzo"]:
        return Decimal("0.5")
    half = words[-2:] == ["e", "mezzo"]
    value = word_value(words[0]) if words else None
    if value is None or len(words) not in (1, 3) or (len(words) == 3 and not half):
        return None
    return Decimal(value) + (Decimal("0.5") if half else 0)


def plain(value: Decimal) -> str:
    """A decimal as the seed files write it: a point, no exponent, no trailing zeros."""
    return format(value.normalize(), "f")

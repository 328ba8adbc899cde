"""Numbers in an article: bilateral trade figures (and energy volumes) with their value, scale,
currency or unit, period, qualifier, year-on-year change and speaker; every other number
(a count, an age, an anniversary, a percentage of something else, another country's trade)
rejected with its reason."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.drafting.lexicon import (
    COUNT_NOUNS,
    CURRENCIES,
    MONTHS,
    UNITS_OF_MEASURE,
    month_number,
)
from app.drafting.people import country_codes
from app.drafting.text import Article
from app.seeding.number_words import DIGITS, NUMBER_WORD, SCALES, parse_number, plain

_CURRENCY = "|".join(CURRENCIES)
_UNIT = "|".join(UNITS_OF_MEASURE)
QUANTITY = re.compile(
    rf"(?<![\w,.\-/])(?P<number>{DIGITS}|(?i:{NUMBER_WORD}))"
    rf"(?:\s+(?P<scale>(?i:miliard[io]|milion[ei]|mld\.?|mln\.?|mrd))(?P<half>\s+e\s+mezzo)?)?"
    rf"(?:\s+(?:di\s+)?(?P<currency>{_CURRENCY})|\s+(?:di\s+)?(?P<unit>{_UNIT}))?"
    rf"(?P<percent>\s?%)?(?P<ordinal>esim[oa]|°|ª|º)?(?![\w])"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_TRADE = re.compile(
    r"\b(?:commerc\w*|scambi\w*|interscambio|volume commerciale|export\w*|esportazion\w*|"
    r"importazion\w*|import|forniture|fornito|gas|petrolio|greggio|GNL|energia)\b",
    re.IGNORECASE,
)
_LOWER = re.compile(
    r"(?:superat[oaie]\s+(?:per la prima volta\s+)?|oltre\s+|più di\s+|sopra\s+|superare\s+|"
    r"supereremo\s+|superiore a\s+)(?:(?:i|il|la|le|gli|quota|soglia|la soglia|dei|deg"
    r"li|del)\s+){0,3}$"
)
_APPROX = re.compile(
    r"(?:circa|quasi|intorno a(?:i|gli)?|attorno a(?:i|gli)?|poco meno di|poco più di)"
    r"\s+(?:(?:i|il|dei)\s+)?$"
)
_UPPER = re.compile(r"(?:meno di|fino a|sotto|inferiore a)\s+(?:(?:i|il|dei)\s+)?$")
_TARGET = re.compile(
    r"\b(?:supereremo|raggiungeremo|arriveremo|raggiungere|superare|obiettivo|traguardo|punta\w*|"
    r"entro il|prevede\w*|previst\w*|stima\w*)\b",
    re.IGNORECASE,
)
_FORECAST = re.compile(r"\b(?:prevede\w*|previst\w*|stima\w*|previsione)\b", re.IGNORECASE)
_YTD = re.compile(
    r"(?i:nei primi (?P<n>\d+|\w+) mesi|(?:nel periodo )?(?P<from>gennaio)\s*[-–]\s*(?P<to>\w+)|"
    r"da gennaio a (?P<to2>\w+))(?:\s+(?:di quest[’']anno|dell[’']anno|del (?P<year>(?"
    r":19|20)\d\d)))?"
)
_PERIOD_YEAR = re.compile(r"\b(?:nel|del|per il|nell[’']anno|entro il|anno)\s+((?:19|20)\d\d)\b")
_YOY = re.compile(
    r"(?P<dir>aument\w*|crescit\w*|cresciut\w*|rialzo|salit\w*|calo|diminu\w*|flessione|ribasso|"
    r"contrazione|scesi|scese|sceso)\s+(?:del|dell[’']|di|dello)\s*(?P<pct>\d+(?:,\d+)?)\s?%"
)
_UPPER_IMPLIED = re.compile(
    r"^[^.]{0,4}(?:superando|superiore a|oltre)\b[^.;]{0,60}?\b((?:19|20)\d\d)\b|"
    r"^[.\s]+[^.]{0,60}?\b((?:19|20)\d\d)\b[^.]{0,30}?\b(?:sono|è|erano) (?:già )?stat"
    r"[eoia] superat[eoia]"
)
_RECORD = re.compile(r"\b(?:record|massimo storico|livello più alto|picco storico)\b")
_FIRST = re.compile(r"\bper la prima volta\b")
_SOURCE = re.compile(
    r"secondo (?:i dati|le statistiche|quanto riportato)(?: (?:dell[’']|della |del |dei )"
    r"(?P<agency>[A-Z][^,.]{3,80}))?(?: (?P<adj>cinesi|russe|ufficiali))?"
)


@dataclass
class Figure:
    start: int  # the excerpt
    end: int
    value: str
    unit_mult: int
    currency: str | None
    unit: str | None
    kind: str = "actual"
    period_type: str = "annual"
    period: str | None = None
    qualifier: str = "exact"
    flow: str = "total"
    yoy_pct: str | None = None
    milestone: str | None = None
    agency: str | None = None
    reporter: str | None = None
    stated_by: str | None = None
    confidence: float = 0.7
    clues: list[str] = field(default_factory=list)
    number_at: int = 0


@dataclass
class Rejected:
    start: int
    end: int
    reason: str
    has_scale: bool


def _months(word: str) -> int | None:
    value = parse_number(word) if not word.isdigit() else Decimal(word)
    return int(value) if value is not None else month_number(word)


class FigureFinder:
    def __init__(self, article: Article, published: dt.date, known: list[dict[str, str]]) -> None:
        self.article = article
        self.text = article.text
        self.published = published
        self.known = known
        self.countries = country_codes(article.text)

    def find(self) -> tuple[list[Figure], list[Rejected]]:
        figures: list[Figure] = []
        rejected: list[Rejected] = []
        for match in QUANTITY.finditer(self.text):
            verdict = self._judge(match)
            if isinstance(verdict, Figure):
                figures.append(verdict)
                figures += self._implied_bounds(verdict, match)
            elif verdict is not None:
                rejected.append(verdict)
        inside = [(f.start, f.end) for f in figures]
        part = "Part of a trade figure's excerpt (its period or change)."
        rejected = [
            Rejected(r.start, r.end, part, r.has_scale)
            if any(s <= r.start < e for s, e in inside)
            else r
            for r in rejected
        ]
        return figures, rejected

    def _judge(self, m: re.Match[str]) -> Figure | Rejected | None:
        number, text = m.group("number"), self.text
        scale = m.group("scale")
        if not scale and not m.group("currency") and not m.group("unit"):
            if _YEAR.match(number) or re.match(rf"\s+(?:{MONTHS})\b", text[m.end() :], re.I):
                return None  # a year or a day of a month: dates are read by dates.py
            line_start = text.rfind("\n", 0, m.start()) + 1
            if not text[line_start : m.start()].strip() and text[m.end() : m.end() + 1] == ".":
                return None  # a numbered list's "1."
            if not re.match(DIGITS, number) and not m.group("ordinal"):
                return None  # "sei produttori", "un'ora": words are figures only with a scale
            if text[max(0, m.start() - 3) : m.start()].endswith("n. "):
                return Rejected(m.start() - 3, m.end(), "A numbered item, not a figure.", False)
            return self._other(m)
        sentence = self.article.sentence_of(m.start())
        window = self._window(m.start())
        noun = re.match(r"\s+(?:di\s+)?([\w’']+)", text[m.end() :])
        if (
            not m.group("currency")
            and not m.group("unit")
            and noun
            and noun.group(1).lower() in COUNT_NOUNS
        ):
            end = m.end() + noun.end()
            return Rejected(m.start(), end, f"A count of {noun.group(1)}, not a trade value.", True)
        if not _TRADE.search(window):
            return Rejected(
                m.start(),
                m.end(),
                "No trade word near it: not a bilateral trade figure.",
                bool(scale),
            )
        others = self._third_countries(sentence.start, sentence.end)
        if others:
            reason = f"Another country's trade ({others}), not bilateral."
            return Rejected(m.start(), m.end(), reason, bool(scale))
        value = parse_number(number)
        if value is None:
            return None
        if m.group("half"):
            value += Decimal("0.5")
        fig = Figure(
            m.start(), m.end(), plain(value), SCALES.get((scale or "").lower(), 0), None, None
        )
        fig.number_at = m.start()
        self._unit(fig, m)
        self._attributes(fig, m, sentence.start, sentence.end)
        return fig

    def _third_countries(self, start: int, end: int) -> str:
        """Countries other than the article's two named in the sentence, unless both are."""
        named = country_codes(self.text[start:end])
        main = set(self.countries[:2])
        others = [c for c in named if c not in main]
        return ", ".join(others) if others and not main <= set(named) else ""

    def _window(self, position: int) -> str:
        index = self.article.sentence_index(position)
        sentences = self.article.sentences
        paragraph = self.article.paragraph_of(position)
        first = index
        while first > max(0, index - 2) and sentences[first - 1].start >= paragraph.start:
            first -= 1
        start = sentences[first].start
        return self.text[start : sentences[index].end]

    def _other(self, m: re.Match[str]) -> Rejected:
        after = self.text[m.end() : m.end() + 40]
        noun = re.match(r"\s*(?:di\s+)?([\w’']+)", after)
        word = noun.group(1) if noun else ""
        end = m.end() + (noun.end() if noun else 0)
        if m.group("ordinal") and "anniversario" in after[:30]:
            return Rejected(m.start(), end, "An anniversary, not a figure.", False)
        if m.group("ordinal") and re.search(r"compleanno|\banni\b", after[:30]):
            return Rejected(m.start(), end, "An age (a birthday), not a figure.", False)
        if m.group("percent"):
            return Rejected(
                m.start(), m.end(), "A percentage of something else, not a trade value.", False
            )
        if word.lower() == "anni" and re.search(
            r"\b(?:ha|di|compiuto|compie)\s*$", self.text[: m.start()]
        ):
            return Rejected(m.start(), end, "An age, not a figure.", False)
        if word.lower() in {"mesi", "anni", "giorni", "settimane", "ore", "minuti"}:
            return Rejected(m.start(), end, f"A duration ({word}), not a figure.", False)
        if m.group("ordinal"):
            return Rejected(m.start(), end, "An ordinal, not a figure.", False)
        return Rejected(m.start(), end, f"A count ({word or 'number'}), not a trade value.", False)

    def _unit(self, fig: Figure, m: re.Match[str]) -> None:
        if m.group("currency"):
            fig.currency = CURRENCIES[m.group("currency").split()[0].lower()]
        elif m.group("unit"):
            fig.unit = UNITS_OF_MEASURE[m.group("unit").lower()]
        else:
            before = list(re.finditer(rf"\b(?:{_CURRENCY})\b", self.text[: m.start()]))
            if before:
                fig.currency = CURRENCIES[before[-1].group().split()[0].lower()]
                fig.clues.append(f"currency implied by {before[-1].group()!r} earlier")
                fig.confidence -= 0.2
            else:
                fig.currency = "USD"
                fig.clues.append("no currency written: USD assumed")
                fig.confidence -= 0.3

    def _attributes(self, fig: Figure, m: re.Match[str], s_start: int, s_end: int) -> None:
        text = self.text
        before, after = text[s_start : m.start()], text[m.end() : s_end]
        spans = [(m.start(), m.end())]
        for pattern, qualifier in (
            (_LOWER, "lower_bound"),
            (_UPPER, "upper_bound"),
            (_APPROX, "approximate"),
        ):
            if (q := pattern.search(before)) is not None and q.group().strip():
                fig.qualifier = qualifier
                spans.append((s_start + q.start(), m.start()))
                fig.clues.append(f"qualifier from {q.group().strip()!r}")
                break
        clause = before[max(before.rfind(". "), 0) :]
        if _TARGET.search(clause + after[:40]):
            fig.kind = "target"
            fig.clues.append("a target (future or goal words)")
            if _FORECAST.search(clause + after[:40]):
                fig.clues.append("a forecast: kept as a target, check it")
        ytd = _YTD.search(before) or _YTD.search(after)
        upper_clause = re.search(r"\b(?:superando|superiore a)\b", after)
        after_own = after[: upper_clause.start()] if upper_clause else after
        years = [(y, m.end()) for y in _PERIOD_YEAR.finditer(after_own)] or [
            (y, s_start) for y in list(_PERIOD_YEAR.finditer(before))[-1:]
        ]
        if ytd:
            months = (
                _months(ytd.group("n") or "")
                if ytd.group("n")
                else month_number(ytd.group("to") or ytd.group("to2") or "")
            )
            year = int(ytd.group("year")) if ytd.group("year") else self.published.year
            fig.period_type, fig.period = "ytd", f"{year}-01-01/P{months}M"
            base = s_start if _YTD.search(before) else m.end()
            spans.append((base + ytd.start(), base + ytd.end()))
            fig.clues.append(f"period from {ytd.group()!r}")
        elif years:
            year_match, base = years[0]
            fig.period = year_match.group(1)
            spans.append((base + year_match.start(), base + year_match.end()))
            fig.clues.append(f"period from {year_match.group()!r}")
        elif fig.kind == "target":
            fig.period_type, fig.period = "open", None
        elif re.search(r"quest[’']anno", before + after):
            fig.period = str(self.published.year)
            fig.clues.append('period from "quest\'anno" and the publication year')
        elif re.search(
            r"(?:l[’']anno scorso|lo scorso anno|l[’']anno appena concluso)", before + after
        ):
            fig.period = str(self.published.year - 1)
        else:
            fig.period = str(self.published.year)
            fig.clues.append("no period written: the publication year assumed")
            fig.confidence -= 0.3
        if (yoy := _YOY.search(text, s_start, s_end)) is not None:
            negative = re.match(r"calo|diminu|flession|ribass|contraz|sces", yoy.group("dir"))
            fig.yoy_pct = ("-" if negative else "") + yoy.group("pct").replace(",", ".")
            spans.append((yoy.start(), yoy.end()))
        own = text[max(s_start, m.start() - 60) : min(s_end, m.end() + 60)]
        if _FIRST.search(own):
            fig.milestone = "first_time"
        elif _RECORD.search(own.split(". ")[0] if ". " in own else own):
            fig.milestone = "record"
        if re.search(r"\b(?:esportazion\w*|export)\b", before + after):
            fig.flow = "export"
        elif re.search(r"\b(?:importazion\w*|import)\b", before + after):
            fig.flow = "import"
        if (source := _SOURCE.search(text, s_start, s_end)) is not None:
            adjective = source.group("adj")
            fig.reporter = {"cinesi": "CN", "russe": "RU"}.get(adjective or "")
            if source.group("agency"):
                fig.agency = source.group("agency").strip()
                fig.reporter = fig.reporter or _reporter(fig.agency)
            elif adjective == "ufficiali":
                fig.agency = "official statistics (the article names no agency)"
            spans.append((source.start(), source.end()))
        self._against_known(fig)
        fig.start, fig.end = min(s for s, _ in spans), max(e for _, e in spans)

    def _against_known(self, fig: Figure) -> None:
        """Approximate when another source states the same figure more precisely."""
        if fig.qualifier != "exact" or "." in fig.value:
            return
        for known in self.known:
            same = (known["period"], known["flow"], str(known["unit_mult"])) == (
                fig.period,
                fig.flow,
                str(fig.unit_mult),
            )
            if (
                same
                and "." in known["value"]
                and round(Decimal(known["value"])) == Decimal(fig.value)
            ):
                fig.qualifier = "approximate"
                fig.clues.append(f"approximate: {known['id']} states {known['value']}")
                return

    def _implied_bounds(self, fig: Figure, m: re.Match[str]) -> list[Figure]:
        """ "115,6 miliardi, superando il volume del 2020": 2020 was below 115.6 billion."""
        after = self.text[m.end() : m.end() + 160]
        bound = _UPPER_IMPLIED.match(after)
        if not bound:
            return []
        year = bound.group(1) or bound.group(2)
        implied = Figure(
            fig.number_at, m.end() + bound.end(), fig.value, fig.unit_mult, fig.currency,
            fig.unit, kind=fig.kind, period_type="annual", period=year, qualifier="upper_bound",
            flow=fig.flow, stated_by=fig.stated_by, confidence=0.6,
            clues=[f"implied upper bound: {after[: bound.end()].strip(' ,.')!r}"],
        )  # fmt: skip
        return [implied]


def _reporter(agency: str) -> str | None:
    if re.search(r"\b(?:Cina|cinese|Pechino)\b", agency):
        return "CN"
    if re.search(r"\b(?:Russia|russ[ao]|Mosca)\b", agency):
        return "RU"
    return None

"""Who a passage names: people of seeds/data/people.yaml by name, surname, alias (garbled forms
included), or by office and country ("il presidente cinese", "il leader russo", "l'ambasciatore
cinese"); groups ("i due leader", "Putin e Xi"); institutions ("Mosca", "il Cremlino")."""

import re
from dataclasses import dataclass

from app.seeding.records import PersonRecord

COUNTRY_WORDS = {
    "CN": r"cinese|della Cina|della Repubblica Popolare Cinese",
    "RU": r"russo|della Russia|della Federazione Russa",
    "US": r"statunitense|americano|degli Stati Uniti",
    "UA": r"ucraino|dell[’']Ucraina",
    "IN": r"indiano|dell[’']India",
}
COUNTRY_NAMES = {
    "CN": r"Cina|Pechino|cines[ei]",
    "RU": r"Russia|Mosca|russ[oiae]",
    "US": r"Stati Uniti|Washington|statunitens[ei]|american[oiae]",
    "UA": r"Ucraina|Kiev|ucrain[oiae]",
    "IN": r"India|indian[oiae]",
}
# Office words and the English office in people.yaml they stand for.
OFFICES = {
    r"president[ei]|leader|capo di Stato|omologo": "President",
    r"ambasciatore": "Ambassador",
    r"ministr[oa](?: degli Esteri)?": "Minister",
}
GROUP = re.compile(
    r"\b(?:[Ii] due (?:leader|presidenti|capi di Stato)|[Ii] due(?= [a-z]+ano\b| hanno)|"
    r"[Ee]ntrambi i leader|[Ll]e (?:due )?parti|[Ii] leader(?: di \w+ e \w+)?(?= hanno))\b"
)
INSTITUTION = re.compile(
    r"\b(?:Mosca|Pechino|Washington|Kiev|il Cremlino|Cremlino|il governo|l[’']Occidente|"
    r"la NATO|[Ll]a Cina|[Ll]a Russia|il ministero|la Tass|TASS|Xinhua)\b"
)
PREPOSITIONS = frozenset(
    [
        "a",
        "al",
        "allo",
        "alla",
        "ai",
        "agli",
        "alle",
        "da",
        "dal",
        "dallo",
        "dalla",
        "dai",
        "dagli",
        "dalle",
        "di",
        "del",
        "dello",
        "della",
        "dei",
        "degli",
        "delle",
        "in",
        "nel",
        "nello",
        "nella",
        "nei",
        "negli",
        "nelle",
        "su",
        "sul",
        "sullo",
        "sulla",
        "sui",
        "sugli",
        "sulle",
        "con",
        "col",
        "per",
        "tra",
        "fra",
        "verso",
        "contro",
        "come",
    ]
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    people: tuple[str, ...]  # person ids: one, or two for a group
    how: str  # "name", "alias", "garbled", "office", "group"


def _names(person: PersonRecord) -> list[tuple[str, str]]:
    names = [(person.name, "name")]
    parts = person.name.split()
    names += [(part, "name") for part in parts if len(part) > 1]
    for alias in person.alias_rows():
        names.append((alias["name"], "garbled" if alias["kind"] == "garbled" else "alias"))
    return names


class People:
    def __init__(self, people: list[PersonRecord]) -> None:
        self.people = {p.id: p for p in people}
        entries = sorted(
            ((name, how, p.id) for p in people for name, how in _names(p)),
            key=lambda e: len(e[0]),
            reverse=True,
        )
        self._names = [
            (re.compile(rf"(?<![\w’']){re.escape(name)}(?![\w])"), how, pid)
            for name, how, pid in entries
        ]

    def by_office(self, office: str, country: str) -> str | None:
        """The one person of `country` whose office is `office`, if exactly one."""
        found = [
            p.id
            for p in self.people.values()
            if p.country == country and (p.office or "").startswith(office)
        ]
        return found[0] if len(found) == 1 else None

    def mentions(self, text: str, leaders: tuple[str, ...] = ()) -> list[Mention]:
        """Every mention in `text`, longest first where they overlap, in order."""
        found: list[Mention] = []
        for pattern, how, pid in self._names:
            found += [Mention(m.start(), m.end(), (pid,), how) for m in pattern.finditer(text)]
        for office_words, office in OFFICES.items():
            for code, words in COUNTRY_WORDS.items():
                pattern = re.compile(
                    rf"(?:\b(?:[Ii]l|[Ll]o|[Ll][’']|[Ll]a)\s*)?(?:suo\s+)?"
                    rf"(?i:\b(?:{office_words})\b)(?: \w+){{0,2}}? (?:{words})\b"
                )
                for m in pattern.finditer(text):
                    holder = self.by_office(office, code)
                    if holder:
                        found.append(Mention(m.start(), m.end(), (holder,), "office"))
        if len(leaders) == 2:
            found += [Mention(m.start(), m.end(), leaders, "group") for m in GROUP.finditer(text)]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return _join_pairs(text, _merge_appositions(text, kept))


def _merge_appositions(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "il presidente cinese Xi Jinping", "Vladimir Putin": one mention of one person."""
    merged: list[Mention] = []
    for m in mentions:
        if merged and merged[-1].people == m.people and not text[merged[-1].end : m.start].strip():
            last = merged.pop()
            m = Mention(last.start, m.end, m.people, last.how)
        merged.append(m)
    return merged


def _join_pairs(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "Putin e Xi Jinping": a group of the two."""
    joined: list[Mention] = []
    for m in mentions:
        if (
            joined
            and text[joined[-1].end : m.start] in (" e ", " ed ")
            and len(joined[-1].people) == 1
            and joined[-1].people != m.people
        ):
            last = joined.pop()
            m = Mention(last.start, m.end, last.people + m.people, "group")
        joined.append(m)
    return joined


def leading_people(people: People, text: str) -> tuple[str, ...]:
    """The two people the article names most: the "due leader" it speaks of."""
    counts: dict[str, int] = {}
    for m in people.mentions(text):
        for pid in m.people:
            counts[pid] = counts.get(pid, 0) + 1
    ranked = sorted(counts, key=lambda pid: (-counts[pid], pid))
    return tuple(sorted(ranked[:2])) if len(ranked) >= 2 else tuple(ranked)


def words_before(text: str, position: int, count: int = 3) -> list[str]:
    return re.findall(r"[\w’']+", text[max(0, position - 60) : position])[-count:]


def country_codes(text: str) -> list[str]:
    """Countries the article names, most named first."""
    counts = {
        code: len(re.findall(rf"\b(?:{names})\b", text)) for code, names in COUNTRY_NAMES.items()
    }
    return [code for code in sorted(counts, key=lambda c: -counts[c]) if counts[code]]

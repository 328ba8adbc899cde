"""Quotations and who said them.

Each quotation (app/seeding/quotations.py) is either a quote of one or more people or an
exclusion, decided by rules a curator can read in the clue:
- a headline or subheading, or a term introduced as one ("la politica di", "una sorta di"),
  or words whose subject is an institution ("Mosca ha iniziato a definirla"), is excluded;
- the speaker is named after the quotation ("…”, ha affermato G"; "definito “…” da Xi"),
  or is the subject before it ("Putin ha affermato: “…”"), or, when the verb has no subject
  ("Ha detto che …"), the last leader named as a subject (a plural verb: the two leaders);
- a passage that names its own speaker in the third person, or that a readout gives in its own
  words ("…”, si legge nella lettura del Cremlino"), is reported speech (`indirect`);
- the same words with the same speaker again are a repeat, excluded.
A sentence that ends ", ha affermato <person>." without quotation marks is reported speech too.
"""

import re
from dataclasses import dataclass, field

from app.drafting.people import INSTITUTION, PREPOSITIONS, Mention, People
from app.drafting.text import Article
from app.seeding.quotations import scan

SPEECH = (
    r"(?:dett[oaie]|dice|dicono|detto|affermat[oaie]|afferma(?:no)?|affermando|dichiarat[oaie]|"
    r"dichiara(?:no)?|dichiarando|sottolineat[oaie]|sottolinea(?:no)?|aggiunt[oaie]|aggiunge|"
    r"definit[oaie]|definisce|definendo|definirl[aoie]|descritt[oaie]|descrive|ribadit[oaie]|"
    r"riaffermat[oaie]|notat[oaie]|osservat[oaie]|evidenziat[oaie]|espress[oaie]|promess[oaie]|"
    r"invitat[oaie]|salutat[oaie]|rispost[oaie]|spiegat[oaie]|annunciat[oaie]|assicurat[oaie]|"
    r"riferendosi|parole|scritt[oaie]|scrive|riportat[oaie]|esprimendo|chiamat[oaie])"
)
_SPEECH = re.compile(rf"\b{SPEECH}\b")
_POSTPOSED = re.compile(
    r"^[\s,–—-]*(?:(?:ha|hanno|avrebbe|aveva|è stato|sarebbe)\s+(?:\w+\s+)?|"
    rf"sono state\s+(?:\w+\s+){{0,2}})?{SPEECH}\b"
)
_READOUT_OWN_WORDS = re.compile(r"^[\s,–—-]*si legge\b")
_AGENT = re.compile(r"^\s*da\s+")
_TERM_INTRO = re.compile(
    r"(?:politica|forma|principio|formula|dottrina|slogan|cosiddett[oaie]|denominat[oaie]|"
    r"sorta|concetto|termine|nome|operazione)\s+(?:di|del|della|dell[’'])?\s*$",
    re.IGNORECASE,
)
_AGENCY = re.compile(r"\b(?:TASS|Tass|Xinhua|RIA|Interfax|Sputnik|ANSA|Reuters|agenzia)\b")
_READOUT = re.compile(
    r"\b(?:Cremlino|lettura|readout|resoconto|sintesi|comunicato|nota ufficiale|"
    r"ministero degli Esteri|dichiarazione)\b"
)
_PLURAL_VERB = re.compile(r"\b(?:hanno|sono|\w+ano|\w+ono)\s+\w*$")
_ENGLISH = re.compile(r"\b(?:the|of|for|and|with|to|is|are|our)\b")
_ITALIAN = re.compile(r"\b(?:il|la|di|che|per|del|della|con|sono|un|una)\b")
_OBJECT_AFTER = re.compile(
    r"(?:at[oaie]|it[oaie]|ut[oaie]|tt[oaie]|ss[oaie]|st[oaie]|are|ere|ire|ando|endo|ha|è)$"
)
_VERB_AFTER = re.compile(
    rf"^[^.\n]{{0,60}}?\b(?:ha|hanno|è|sono|era|aveva|avevano|sarà|\w+(?:ava|eva|iva)|{SPEECH})\b"
)
_POSTPOSED_SUBJECT = re.compile(
    rf"[”\"»’]\s*,?\s*(?:ha|hanno)\s+(?:\w+\s+)?{SPEECH}(?:\s+[\w’']+){{0,4}}?\s*$"
)
# Verbs that report a statement, for the unmarked reported speech "…, ha affermato X."
_DECLARATIVE = (
    r"(?:affermat[oaie]|dichiarat[oaie]|dett[oaie]|sottolineat[oaie]|aggiunt[oaie]|"
    r"spiegat[oaie]|osservat[oaie]|notat[oaie]|assicurat[oaie]|ribadit[oaie])"
)
_POSTPOSED_INDIRECT = re.compile(rf",\s*(?:ha|hanno)\s+{_DECLARATIVE}\b[^.,;:]{{0,90}}$")
_MIN_REPORTED_WORDS = 8  # shorter than this, "…, ha detto X" is a clause, not a statement


# Someone the people file does not know, named by office and name: "il portavoce del Cremlino
# Dmitri Peskov", "il ministro degli Esteri Wang Yi".
_STRANGER = re.compile(
    r"\b(?:portavoce|ministr[oa]|viceministr[oa]|ambasciatore|ambasciatrice|consigliere|premier|"
    r"segretari[oa]|direttore|direttrice|primo ministro|presidente)\b(?: [\w’']+){0,4}? "
    r"(?P<name>[A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+)+)"
)


# Capitalised words of an office's complement, not of a name: "del Cremlino", "degli Esteri".
_NOT_NAMES = frozenset(
    [
        "Cremlino",
        "Esteri",
        "Stato",
        "Consiglio",
        "Sicurezza",
        "Difesa",
        "Commercio",
        "Affari",
        "Cina",
        "Russia",
        "Mosca",
        "Pechino",
        "Stati",
        "Uniti",
        "Repubblica",
        "Popolare",
        "Federazione",
        "Russa",
        "Cinese",
        "Nazionale",
        "Partito",
        "Comunista",
    ]
)


def _stranger_name(match: re.Match[str]) -> str | None:
    words = match.group("name").split()
    while words and words[0] in _NOT_NAMES:
        words.pop(0)
    return " ".join(words) if len(words) >= 2 else None


@dataclass
class Found:
    """A quotation's verdict: its speakers (empty for an exclusion) and why."""

    start: int
    end: int
    speakers: tuple[str, ...] = ()
    attribution: str = "direct"
    confidence: float = 0.5
    clue: str = ""
    exclusion: str | None = None  # the reason, when excluded
    language: str = "it"
    notes: list[str] = field(default_factory=list)


class QuoteFinder:
    def __init__(self, article: Article, people: People, leaders: tuple[str, ...]) -> None:
        self.article = article
        self.text = article.text
        self.people = people
        self.leaders = leaders
        self.quotations, self.unbalanced = scan(self.text)
        self.inside = [(q.start, q.end) for q in self.quotations]
        self.mentions = [
            m
            for m in people.mentions(self.text, leaders)
            if not any(s <= m.start < e for s, e in self.inside)
        ]

    # -- roles of mentions ------------------------------------------------------------------
    def is_subject(self, m: Mention) -> bool:
        """Whether a mention is the subject of its clause: not after a preposition or a verb
        (unless it names the speaker after a quotation), and followed by a verb."""
        raw = self.text[max(0, m.start - 120) : m.start]
        if _POSTPOSED_SUBJECT.search(raw):
            return True
        if not _VERB_AFTER.search(self.text[m.end : m.end + 80]):
            return False
        clause = re.split(r"[,;:(–—\"“”«»\n.]", raw)[-1]
        words = re.findall(r"[\w’']+", clause)
        if not words:
            return True
        last = words[-1].lower()
        return last not in PREPOSITIONS and not _OBJECT_AFTER.search(last)

    def last_subject(self, before: int, plural: bool) -> Mention | None:
        for m in reversed(self.mentions):
            if m.end > before or self.article.is_heading(m.start):
                continue
            if self.is_subject(m) and (len(m.people) > 1) == plural:
                return m
        return None

    # -- one quotation ------------------------------------------------------------------------
    def judge(self, start: int, end: int, close_at: int) -> Found:
        text, found = self.text, Found(start, end)
        inner = text[start:end]
        words = len(inner.split())
        found.language = "en" if _ENGLISH.search(inner) and not _ITALIAN.search(inner) else "it"
        if words <= 4:
            found.notes.append(f"fragment ({words} word{'s' if words > 1 else ''})")
        sentence = self.article.sentence_of(start)
        before = text[sentence.start : start - 1]
        after = text[close_at + 1 : close_at + 120]
        if self.article.is_heading(start):
            return self._exclude(found, "Headline or subheading, not speech.", 0.8)
        if _TERM_INTRO.search(before):
            return self._exclude(found, "A name or term set in quotation marks, not speech.", 0.7)
        own = [m for m in self.people.mentions(inner, self.leaders) if m.start < 40]
        if own and self.is_subject_in(inner, own[0]):
            found.attribution = "indirect"
            return self._speak(
                found,
                own[0].people,
                0.8,
                f"names its speaker: {inner[own[0].start : own[0].end]!r}",
            )
        if _READOUT_OWN_WORDS.match(after):
            found.attribution = "indirect"
            found.notes.append('a readout\'s account in its own words ("si legge")')
        elif (post := _POSTPOSED.match(after)) is not None:
            tail = re.split(r"[.“”\"«»]", after[post.end() : post.end() + 70])[0]
            named = self.people.mentions(tail, self.leaders)
            if named:
                clue = f"named after it: {after[: post.end() + named[0].end].strip(' ,')!r}"
                return self._speak(found, named[0].people, 0.9, clue, close_at)
            stranger = _STRANGER.search(tail)
            if stranger and _stranger_name(stranger):
                return self._stranger(found, stranger, close_at)
            plural = bool(re.search(r"\bhanno\b", after[: post.end()]))
            subject = self.last_subject(start, plural)
            if subject:
                said = after[: post.end()].strip(" ,")
                clue = f"'{said}' without a subject: {self.named(subject)}"
                return self._speak(found, subject.people, 0.7, clue, close_at)
        if _AGENT.match(after):
            named = self.people.mentions(after[:60], self.leaders)
            if named and named[0].start < 6:
                clue = f"agent: {after[: named[0].end].strip()!r}"
                return self._speak(found, named[0].people, 0.85, clue, close_at)
        return self._preposed(found, sentence.start, before, close_at)

    def named(self, subject: Mention) -> str:
        return f"the last leader named, {self.text[subject.start : subject.end]!r}"

    def is_subject_in(self, inner: str, m: Mention) -> bool:
        return bool(re.match(r"\s+(?:\w+\s+)?(?:ha|hanno|è)\b", inner[m.end :]))

    def _preposed(self, found: Found, sentence_start: int, before: str, close_at: int) -> Found:
        start = found.start
        subjects = [
            m
            for m in self.mentions
            if sentence_start <= m.start and m.end < start and self.is_subject(m)
        ]
        institutions = [
            i
            for i in INSTITUTION.finditer(before)
            if not re.search(r"\b(?:tra|di|con|a|da|per|in)\s*$", before[: i.start()])
        ]
        verb = list(_SPEECH.finditer(before))
        strangers = [
            s
            for s in _STRANGER.finditer(before)
            if _stranger_name(s) and (not subjects or s.start() > subjects[-1].end - sentence_start)
        ]
        if strangers and verb and verb[-1].start() > strangers[-1].end():
            return self._stranger(found, strangers[-1], close_at)
        if institutions and any(v.start() < institutions[-1].start() for v in verb):
            institutions = []  # an institution inside what someone said, not its speaker
        if (
            institutions
            and (not subjects or sentence_start + institutions[-1].start() > subjects[-1].end)
            and verb
            and verb[-1].start() > institutions[-1].start()
        ):
            return self._exclude(
                found,
                f"Words of an institution ({institutions[-1].group()}), not of a person.",
                0.6,
            )
        if subjects:
            m = subjects[-1]
            return self._speak(
                found, m.people, 0.8, f"subject before it: {self.text[m.start : m.end]!r}", close_at
            )
        introduced = before.rstrip().endswith(":") or self._introduced_by_paragraph(start)
        if verb or introduced:
            plural = bool(verb and _PLURAL_VERB.search(before[: verb[-1].start()]))
            subject = self.last_subject(sentence_start, plural)
            if subject is None and introduced:
                subject = self.last_subject(start, plural)
            if subject:
                word = verb[-1].group() if verb else ":"
                clue = f"'{word}' without a subject: {self.named(subject)}"
                return self._speak(found, subject.people, 0.6, clue, close_at)
        return self._exclude(
            found, "No speaker named: a term, a name or the article's own words.", 0.5
        )

    def _stranger(self, found: Found, name: re.Match[str], close_at: int) -> Found:
        """A speaker the people file does not know: named by office and name."""
        person = _stranger_name(name) or name.group("name")
        found.notes.append(f"speaker not in people.yaml: add {person!r} there")
        speaker = "-".join(person.lower().split())
        return self._speak(
            found, (speaker,), 0.5, f"named, not in people.yaml: {name.group()!r}", close_at
        )

    def _introduced_by_paragraph(self, start: int) -> bool:
        paragraph = self.article.paragraph_of(start)
        if self.text[paragraph.start : start].strip(' “"«„'):
            return False
        previous = self.article.previous_paragraph(start)
        return previous is not None and self.text[previous.start : previous.end].rstrip().endswith(
            ":"
        )

    def _exclude(self, found: Found, reason: str, confidence: float) -> Found:
        found.exclusion, found.confidence, found.clue = reason, confidence, reason
        return found

    def _speak(
        self,
        found: Found,
        people: tuple[str, ...],
        confidence: float,
        clue: str,
        close_at: int = -1,
    ) -> Found:
        found.speakers, found.confidence, found.clue = people, confidence, clue
        if found.attribution == "direct":
            found.attribution = self._channel(found, close_at)
        return found

    def _channel(self, found: Found, close_at: int) -> str:
        paragraph = self.article.paragraph_of(found.start)
        scope = self.text[paragraph.start : max(paragraph.end, close_at)]
        if self._introduced_by_paragraph(found.start):
            previous = self.article.previous_paragraph(found.start)
            if previous:
                scope += self.text[previous.start : previous.end]
        sentence = self.article.sentence_of(found.start)
        before = self.text[sentence.start : found.start]
        if found.language == "en" and re.match(
            r"\s*[A-Z]\w+ing\b", self.text[found.start : found.end]
        ):
            return "press"
        if re.search(r"\bdescritt[oaie]\b[^“”\"«]*$", before):
            return "press"
        if _AGENCY.search(scope):
            return "agency"
        if _READOUT.search(scope):
            return "readout"
        return "direct"

    # -- the article --------------------------------------------------------------------------
    def quotations_found(self) -> list[Found]:
        results = []
        for q in self.quotations:
            close_at = self.text.find(q.closing, q.end)
            results.append(self.judge(q.start, q.end, close_at))
        results += self.unmarked()
        results.sort(key=lambda f: f.start)
        return _repeats(self.text, results)

    def unmarked(self) -> list[Found]:
        """Sentences ending ", ha affermato <person>." without marks: reported speech."""
        found = []
        for sentence in self.article.sentences:
            chunk = self.text[sentence.start : sentence.end].rstrip(".")
            match = _POSTPOSED_INDIRECT.search(chunk)
            if not match or any(s < sentence.end and e >= sentence.start for s, e in self.inside):
                continue
            named = self.people.mentions(match.group(), self.leaders)
            if not named:
                continue
            body = chunk[: match.start()].rstrip()
            if len(body.split()) < _MIN_REPORTED_WORDS:
                continue
            f = Found(sentence.start, sentence.start + len(body), attribution="indirect")
            f.notes.append("reported speech: no quotation marks, the speaker named after it")
            clue = f"named after it: {match.group().strip(' ,')!r}"
            self._speak(f, named[-1].people, 0.7, clue)
            found.append(f)
        return found


def _repeats(text: str, results: list[Found]) -> list[Found]:
    """The same words again: a repeat of the first with the same speaker, or of a later one
    when this one has no speaker."""
    for index, f in enumerate(results):
        words = text[f.start : f.end]
        same = [g for g in results if g is not f and text[g.start : g.end] == words and g.speakers]
        earlier = [
            g for g in same if g.start < f.start and (not f.speakers or g.speakers == f.speakers)
        ]
        later = [g for g in same if g.start > f.start] if not f.speakers else []
        if f.speakers and earlier:
            f.exclusion = (
                f"Repeats the quotation at character {earlier[0].start} (same words, same speaker)."
            )
            f.speakers, f.confidence, f.clue = (), 0.7, f.exclusion
        elif not f.speakers and (earlier or later):
            other = (earlier or later)[0]
            f.exclusion = (
                f"Repeats the quotation at character {other.start}, which names its speaker."
            )
            f.confidence, f.clue = 0.7, f.exclusion
        results[index] = f
    return results

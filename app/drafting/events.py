"""Events: the one the article reports as news (its kind from the first event word, its date from
the lede and the sentences that name it) and the other events it mentions with a date."""

import re
from dataclasses import dataclass, field

from app.drafting.dates import DateGuess, date_of
from app.drafting.lexicon import EVENT_WORDS, MONTHS
from app.drafting.people import People
from app.drafting.text import Article, Span

_EVENT = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in EVENT_WORDS.items()), re.I)
_DATED = re.compile(rf"\b(?:{MONTHS})\b|\b(?:19|20)\d\d\b", re.I)
_PLANNED = re.compile(
    r"\b(?:prossim\w+|sarà|saranno|dovrebbe|auspicio|invit\w+ a|in programma)\b", re.I
)


@dataclass
class EventDraft:
    kind: str
    sentence: Span
    date: DateGuess
    participants: list[str] = field(default_factory=list)
    status: str = "occurred"
    main: bool = False
    clue: str = ""


def _kind(match: re.Match[str]) -> str:
    return next(kind for kind, value in match.groupdict().items() if value)


def find_events(
    article: Article, people: People, leaders: tuple[str, ...], published: str
) -> list[EventDraft]:
    text = article.text
    body = article.body_start()
    first = _EVENT.search(text, body) or _EVENT.search(text)
    if first is None:
        return []
    kind = _kind(first)
    same_kind = re.compile(EVENT_WORDS[kind], re.I)
    lede = [p for p in article.paragraphs if p not in article.headings][:2]
    scope = [text[p.start : p.end] for p in lede]
    scope += [
        text[s.start : s.end]
        for s in article.sentences
        if same_kind.search(text[s.start : s.end])
        and not any(p.start <= s.start < p.end for p in lede)
    ]
    main = EventDraft(
        kind,
        article.sentence_of(first.start()),
        date_of(scope, published, people, leaders),
        list(leaders),
        main=True,
        clue=f"the first event word, {first.group()!r}",
    )
    events = [main]
    seen = {main.sentence}
    for match in _EVENT.finditer(text, body):
        sentence = article.sentence_of(match.start())
        passage = text[sentence.start : sentence.end]
        if sentence in seen or article.is_heading(sentence.start) or not _DATED.search(passage):
            continue
        if _kind(match) == kind and not re.search(rf"\b(?:{MONTHS})\b|\b(?:19|20)\d\d\b", passage):
            continue
        seen.add(sentence)
        named = people.mentions(passage, leaders)
        participants = sorted({pid for m in named for pid in m.people})
        status = "planned" if _PLANNED.search(passage) else "occurred"
        events.append(
            EventDraft(
                _kind(match),
                sentence,
                date_of([passage], published, people, leaders),
                participants,
                status,
                clue=f"another event: {match.group()!r} with a date word",
            )
        )
    return events

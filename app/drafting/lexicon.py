"""A small hand-written Italian lexicon: currencies, units, count nouns, months, weekdays and the
words for kinds of diplomatic events. No dependency: these few hundred words are all the rules
need, and a curator can read and extend them."""

from app.seeding.date_rules import ITALIAN_MONTHS, WEEKDAYS

__all__ = ["WEEKDAYS"]

CURRENCIES = {
    "dollari": "USD", "dollaro": "USD", "dollari usa": "USD", "dollari statunitensi": "USD",
    "dollari americani": "USD", "euro": "EUR", "yuan": "CNY", "renminbi": "CNY", "rubli": "RUB",
    "rublo": "RUB", "rupie": "INR", "sterline": "GBP", "yen": "JPY",
}  # fmt: skip
# Written forms of units (after "di") and the unit code a record stores (app/vocab.py Unit).
UNITS_OF_MEASURE = {
    "metri cubi": "m3", "metri cubi di gas": "m3", "m3": "m3", "mc": "m3",
    "tonnellate": "t", "barili": "bbl", "kwh": "kWh", "chilowattora": "kWh",
}  # fmt: skip
# Nouns that make a number a count of things rather than a trade value.
COUNT_NOUNS = frozenset(
    [
        "dosi",
        "persone",
        "abitanti",
        "eventi",
        "visitatori",
        "turisti",
        "studenti",
        "soldati",
        "militari",
        "morti",
        "vittime",
        "feriti",
        "posti",
        "lavoratori",
        "aziende",
        "imprese",
        "progetti",
        "accordi",
        "contratti",
        "voli",
        "treni",
        "navi",
        "aerei",
        "unità",
        "utenti",
        "copie",
        "anni",
        "mesi",
        "giorni",
        "ore",
        "minuti",
    ]
)
MONTH_NAMES = list(ITALIAN_MONTHS)  # the date rules' months (app/seeding/date_rules.py)
MONTHS = "|".join(MONTH_NAMES)
# Words for an event of each kind (app/vocab.py EventKind), most specific first.
EVENT_WORDS = {
    "video_call": (
        r"videochiamat\w*|videoconferenz\w*|video ?conferenz\w*|"
        r"colloquio (?:online|virtuale|in video\w*)|collegamento video|incontro virtuale"
    ),
    "phone_call": r"telefonat\w*|colloquio telefonico|conversazione telefonica|chiamata",
    "state_visit": r"visita di stato|visita ufficiale",
    "summit": r"vertice|summit",
    "meeting": r"incontr\w+ (?:faccia a faccia|personale|bilaterale)|incontro",
    "message": r"messaggio|lettera|telegramma",
    "ceremony": r"cerimonia",
    "agreement": r"trattato|memorandum|accordo",
    "exercise": r"esercitazion\w*|pattugliamento|manovre",
}
# Words for the event the article reports as news (colloquio alone is a call or a meeting).
MAIN_EVENT_WORDS = "|".join([*EVENT_WORDS.values(), r"colloqui\w*", r"conversazione"])


def month_number(word: str) -> int | None:
    word = word.lower()
    return MONTH_NAMES.index(word) + 1 if word in MONTH_NAMES else None

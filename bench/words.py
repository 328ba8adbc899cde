"""Word lists and reference data of the synthetic benchmark dataset (Italian and English)."""


def _split(text: str) -> list[str]:
    return text.split()


# Most frequent first: the generator draws words with Zipf weights by rank.
ITALIAN = _split(
    """
il la di e che a in per con non una su del della le si al dei ha nel è sono anche più
come ma alla dalla tra questo questa presidente paese paesi relazioni cooperazione
accordo russia cina mosca pechino governo colloquio telefonata incontro leader
sviluppo economia commercio sicurezza politica internazionale bilaterale rapporti
partenariato strategico amicizia cinese russo visita vertice stato capo ministro
esteri dichiarazione comune interessi reciproco sostegno fiducia principi pace
dialogo mondo nuovo ordine globale regione crisi ucraina taiwan stati uniti
occidente sanzioni energia petrolio gas forniture progetti investimenti
infrastrutture confine ferrovia ponte porto nucleare centrale spazio luna ricerca
scienza tecnologia innovazione salute vaccini pandemia sport olimpiadi giochi
esercitazione militare difesa marina aerea forze trattato firma proroga anni
anniversario compleanno auguri caro amico messaggio lettera incontrarsi futuro
prossimo anno mese giorno settimana sempre mai ancora oggi ieri domani detto
sottolineato affermato ribadito espresso ringraziato invitato accettato
proposto discusso concordato firmato annunciato riferito secondo fonti agenzia
portavoce cremlino ministero nota ufficiale comunicato stampa giornalisti
conferenza video collegamento ore minuti durata lunga breve intensa cordiale
calorosa costruttiva franca aperta profonda storica nuova alta livello
massimo record miliardi dollari yuan rubli crescita volume interscambio
percento aumento calo obiettivo raggiungere superato oltre circa quasi
città perché però già così può dovrà sarà verità qualità unità società
"""
)

ENGLISH = _split(
    """
the of and to in a that for is on with as by at from this was are be have has
president country countries relations cooperation agreement russia china moscow
beijing government talks call meeting leaders development economy trade security
policy international bilateral ties partnership strategic friendship chinese
russian visit summit state head minister foreign statement joint interests mutual
support trust principles peace dialogue world new order global region crisis
ukraine taiwan united states west sanctions energy oil gas supplies projects
investment infrastructure border railway bridge port nuclear plant space moon
research science technology innovation health vaccines pandemic sport olympics
games exercise military defence navy air forces treaty signing extension years
anniversary birthday wishes dear friend message letter future next year month
day week always never still today yesterday tomorrow said stressed stated
reaffirmed expressed thanked invited accepted proposed discussed agreed signed
announced reported according sources agency spokesman kremlin ministry note
official communique press journalists conference video link hours minutes long
short intense cordial warm constructive frank open deep historic high level
record billion dollars growth volume turnover percent increase decline target
reach exceeded over about nearly multipolar
"""
)

# Rare topical words with an explicit weight (the most frequent word weighs 1.0), so the
# full-text scenarios search a realistic fraction of the rows: about 0.5% of the quotes
# contain "gasdotto", about 2% "multipolare".
RARE_ITALIAN = {
    "gasdotto": 0.002,
    "multipolare": 0.008,
    "siberia": 0.004,
    "artico": 0.003,
    "semiconduttori": 0.002,
    "brics": 0.006,
    "sco": 0.005,
}
RARE_ENGLISH = {
    "pipeline": 0.002,
    "siberia": 0.004,
    "arctic": 0.003,
    "semiconductors": 0.002,
    "brics": 0.006,
    "sco": 0.005,
}

COUNTRIES = [
    ("RU", "RUS", "Russia"),
    ("CN", "CHN", "China"),
    ("US", "USA", "United States"),
    ("IT", "ITA", "Italy"),
    ("DE", "DEU", "Germany"),
    ("FR", "FRA", "France"),
    ("GB", "GBR", "United Kingdom"),
    ("IN", "IND", "India"),
    ("BR", "BRA", "Brazil"),
    ("ZA", "ZAF", "South Africa"),
    ("JP", "JPN", "Japan"),
    ("KR", "KOR", "South Korea"),
    ("KP", "PRK", "North Korea"),
    ("TR", "TUR", "Türkiye"),
    ("IR", "IRN", "Iran"),
    ("SA", "SAU", "Saudi Arabia"),
    ("AE", "ARE", "United Arab Emirates"),
    ("EG", "EGY", "Egypt"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("UZ", "UZB", "Uzbekistan"),
    ("KG", "KGZ", "Kyrgyzstan"),
    ("TJ", "TJK", "Tajikistan"),
    ("MN", "MNG", "Mongolia"),
    ("BY", "BLR", "Belarus"),
    ("UA", "UKR", "Ukraine"),
    ("PL", "POL", "Poland"),
    ("RS", "SRB", "Serbia"),
    ("HU", "HUN", "Hungary"),
    ("ES", "ESP", "Spain"),
    ("PK", "PAK", "Pakistan"),
    ("VN", "VNM", "Viet Nam"),
    ("ID", "IDN", "Indonesia"),
    ("MY", "MYS", "Malaysia"),
    ("TH", "THA", "Thailand"),
    ("AU", "AUS", "Australia"),
    ("CA", "CAN", "Canada"),
    ("MX", "MEX", "Mexico"),
    ("AR", "ARG", "Argentina"),
    ("VE", "VEN", "Venezuela"),
    ("CU", "CUB", "Cuba"),
    ("NG", "NGA", "Nigeria"),
    ("ET", "ETH", "Ethiopia"),
    ("IL", "ISR", "Israel"),
    ("SY", "SYR", "Syria"),
    ("AF", "AFG", "Afghanistan"),
    ("GR", "GRC", "Greece"),
    ("CH", "CHE", "Switzerland"),
    ("AT", "AUT", "Austria"),
    ("FI", "FIN", "Finland"),
    ("NO", "NOR", "Norway"),
]

FIRST_NAMES = _split(
    """
Marco Giulia Luca Francesca Andrea Sofia Giovanni Chiara Paolo Elena Sergej Olga Dmitrij
Anna Ivan Natalia Aleksej Irina Wei Li Jian Mei Hua Ming John Mary James Sarah Michael
Emma Pierre Claire Hans Greta Raj Priya Kenji Yuki Ahmed Fatima Jorge Lucía Nikos Eleni
Mehmet Ayşe Nicolás Zoé
"""
)

LAST_NAMES = _split(
    """
Rossi Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Ivanov Smirnov Kuznecov
Popov Volkov Petrov Sokolov Lebedev Wang Zhang Liu Chen Yang Zhao Huang Zhou Smith Johnson
Brown Miller Dubois Martin Müller Schmidt Sharma Patel Tanaka Suzuki Hassan Ali García
López Papadopoulos Yılmaz Kaya Fernández Silva Nguyen Kowalski Novák
"""
)

OFFICES = [
    "President",
    "Prime Minister",
    "Minister of Foreign Affairs",
    "Minister of Defence",
    "Minister of Economy",
    "Ambassador",
    "Spokesperson",
    "Chairman",
]

OUTLETS = [
    "Corriere della Sera",
    "la Repubblica",
    "Il Sole 24 Ore",
    "ANSA",
    "Agenzia Nova",
    "CNA World",
    "Reuters",
    "Associated Press",
    "TASS",
    "Xinhua",
    "RIA Novosti",
    "South China Morning Post",
    "The Moscow Times",
    "Global Times",
]

AGENCIES = [
    "General Administration of Customs of China",
    "Federal Customs Service of Russia",
    "Eurostat",
    "U.S. Census Bureau",
    "Istat",
]

VIA = ["TASS", "Xinhua", "RIA Novosti", "Interfax", "CCTV"]

CITIES = [
    ("Mosca", "RU"),
    ("San Pietroburgo", "RU"),
    ("Vladivostok", "RU"),
    ("Pechino", "CN"),
    ("Shanghai", "CN"),
    ("Astana", "KZ"),
    ("Samarcanda", "UZ"),
    ("Roma", "IT"),
    ("Nuova Delhi", "IN"),
    ("Johannesburg", "ZA"),
    ("Kazan", "RU"),
    ("Bishkek", "KG"),
    ("Dušanbe", "TJ"),
    ("Ulan Bator", "MN"),
    ("Minsk", "BY"),
    ("Teheran", "IR"),
    ("Brasília", "BR"),
    ("Ginevra", "CH"),
]

KIND_TITLES = {
    "phone_call": ("colloquio telefonico", "phone call"),
    "video_call": ("videoconferenza", "video call"),
    "meeting": ("incontro", "meeting"),
    "state_visit": ("visita di Stato", "state visit"),
    "summit": ("vertice", "summit"),
    "message": ("messaggio", "message"),
    "ceremony": ("cerimonia", "ceremony"),
    "agreement": ("firma dell'accordo", "agreement signing"),
    "exercise": ("esercitazione congiunta", "joint exercise"),
    "other": ("contatto", "contact"),
}

# People, event kinds (with draw weights), participant roles by kind, and topics.
SPECIAL_PEOPLE = [
    ("vladimir-putin", "Vladimir Putin", "RU", "President of Russia", "Q7747", ["Putin"]),
    ("xi-jinping", "Xi Jinping", "CN", "President of China", "Q15031", ["Xi"]),
]
KINDS = {
    "phone_call": 30,
    "video_call": 12,
    "meeting": 20,
    "state_visit": 10,
    "summit": 8,
    "message": 10,
    "ceremony": 3,
    "agreement": 4,
    "exercise": 2,
    "other": 1,
}
ROLES = {
    "phone_call": ("caller", "callee"),
    "video_call": ("caller", "callee"),
    "state_visit": ("host", "visitor"),
    "message": ("sender", "recipient"),
    "agreement": ("signatory", "signatory"),
}
TOPICS = [
    "trade",
    "energy",
    "nuclear",
    "security",
    "ukraine",
    "taiwan",
    "multipolar-order",
    "military",
    "space",
    "health",
    "afghanistan",
    "science",
    "treaty",
    "sanctions",
    "infrastructure",
    "personal",
    "sport",
    "united-states",
]

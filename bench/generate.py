"""Generate a municipal data set at a named scale, for the benchmark harness (bench/run.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/varna_bench \\
        uv run python bench/generate.py --scale storkommun [--profile harjedalen] [--seed 2026] [--reset] \\
            [--risks-in-one-analysis N]

Migrates the database in DATABASE_URL, loads the profile's demo municipality if no municipal
group exists, then adds generated rows on top of what is there: org units in a realistic tree,
people with employee numbers, role assignments (current and ended), external parties with
contracts, governing documents with their versions and decisions, risk analyses with risks,
assessments and measures (and, with --risks-in-one-analysis N, N more risks in one analysis).
Everything is built in Python and written with bulk_create in batches, so history tables
(simple_history) get no rows for generated data. The same seed gives the same data.

Finally it creates two bench users to measure as (password below, or use force_login):
the group security coordinator (sees everything) and the head of the largest administration
(a scoped user).
"""

import argparse
import datetime
import itertools
import os
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

BENCH_PASSWORD = "bench-varna-2026"
COORDINATOR_USERNAME = "bench-samordnare"
HEAD_USERNAME = "bench-chef"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    administrations: int  # totals, including what the demo already has
    activities: int
    companies: int
    units: int  # all org units, every level
    people: int
    parties: int
    documents: int  # governing documents
    versions: int  # their versions
    risks: int  # risks (the demo's included), in one RSA and unit analyses
    measures: int  # measures of the security programme, each treating one or two risks
    analyses: int  # unit risk analyses (besides the RSA)
    incidents: int  # incidents over ten years (the demo's included), see bench/incident_data.py


SCALES = {
    "demo": None,
    "medium": Scale(
        administrations=8,
        activities=30,
        companies=6,
        units=150,
        people=6_000,
        parties=200,
        documents=1_000,
        versions=5_000,
        risks=2_000,
        measures=4_000,
        analyses=40,
        incidents=100_000,
    ),
    "storkommun": Scale(
        administrations=12,
        activities=150,
        companies=20,
        units=1_500,
        people=60_000,
        parties=2_000,
        documents=10_000,
        versions=50_000,
        risks=20_000,
        measures=40_000,
        analyses=300,
        incidents=1_000_000,
    ),
}

# --- Swedish vocabulary (every name generated from it is fictitious) ---------------------------


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Malin Linnea Sofia Elin Johanna Ida Hanna Julia "
    "Elsa Maja Alice Ebba Wilma Klara Agnes Frida Moa Helena Camilla Jenny Annika Therese Susanne Åsa "
    "Birgitta Margareta Marie Ulla Linda Cecilia Petra Sanna Nora Saga Amira Fatima Leila Yasmin Aisha "
    "Lars Mikael Anders Johan Per Erik Karl Peter Jan Thomas Daniel Fredrik Hans Andreas Stefan Mats "
    "Magnus Jonas Mattias Oskar Gustav Nils Olof Björn Henrik Niklas Viktor Axel Emil Filip Lucas Hugo "
    "Elias William Alexander Sebastian Jakob Martin Tobias Robert Patrik Joakim Ali Mohammed Ahmed Omar "
    "Hassan Yusuf Ibrahim Göran Leif Bengt Åke Kjell Rolf Sven"
)
# Common Swedish surnames, roughly in order of frequency; weights fall off like a Zipf curve,
# so the first (Andersson) is the "common surname" the harness searches for.
LAST_NAMES = _words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
    "Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson Lindström Lindqvist "
    "Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson "
    "Sandberg Henriksson Forsberg Sjöberg Ali Wallin Mohammed Engström Eklund Danielsson Lundin Håkansson "
    "Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg "
    "Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Ahmed Viklund "
    "Björklund Eliasson Pålsson Hassan Berggren Sandström Lund Nordin Ström Åberg Hermansson Ekström "
    "Falk Holmgren Dahlberg Hellström Hedlund Sundberg Sjögren Ek Blom Abrahamsson Martinsson Öberg "
    "Andreasson Strömberg Månsson Åkesson Hansen Norberg Lindholm Dahl Jonasson Sundqvist Nordqvist"
)
# The long tail: compound surnames (Bergqvist, Sjödahl, ...), together 60 % of people, so that the
# most common surname holds about 2 % of them, as Andersson does in Sweden.
TAIL_NAMES = [
    f"{a}{b}"
    for a in _words("Berg Lind Sjö Ek Björk Gran Ahl Sand Lund Holm Ny Norr Sö Öst Väst Hag Dahl Fors Ström Wall Hed")
    for b in _words("berg lund ström qvist gren dahl holm sten mark bäck hage by ling man lin")
    if a.lower() != b
]
_top = [1 / (rank + 1) ** 0.5 for rank in range(len(LAST_NAMES))]
SURNAMES = LAST_NAMES + TAIL_NAMES
SURNAME_WEIGHTS = [0.4 * w / sum(_top) for w in _top] + [0.6 / len(TAIL_NAMES)] * len(TAIL_NAMES)

PLACES = _words(
    "Norr Söder Öster Väster Centrum Björkhagen Granbacken Tallåsen Ekdalen Lindvallen Sjöstaden Åkerby "
    "Bergsjön Hagalund Ängsby Kvarnbacken Strandvik Furulund Solberga Lillåsen Rosendal Backa Mossen "
    "Högdalen Bäckby Skogsby Vallby Hammarby Ladugårdsängen Stenhagen Fjällsta Älvsborg Kyrkbyn Hamnen"
)

ADMINISTRATIONS = [
    ("Samhällsbyggnadsförvaltningen", "SBF", "Samhällsbyggnadsnämnden"),
    ("Vård- och omsorgsförvaltningen", "VOF", "Vård- och omsorgsnämnden"),
    ("Kultur- och fritidsförvaltningen", "KFF", "Kultur- och fritidsnämnden"),
    ("Gymnasie- och vuxenutbildningsförvaltningen", "GVF", "Gymnasie- och vuxenutbildningsnämnden"),
    ("Miljöförvaltningen", "MF", "Miljönämnden"),
    ("Arbetsmarknadsförvaltningen", "AMF", "Arbetsmarknadsnämnden"),
    ("Räddningstjänsten", "RTJ", "Räddningsnämnden"),
    ("Serviceförvaltningen", "SEF", "Servicenämnden"),
    ("Förskoleförvaltningen", "FSF", "Förskolenämnden"),
    ("Stadsbyggnadsförvaltningen", "SBK", "Stadsbyggnadsnämnden"),
    ("Överförmyndarförvaltningen", "ÖFF", "Överförmyndarnämnden"),
    ("Fritidsförvaltningen", "FRF", "Fritidsnämnden"),
    ("Idrottsförvaltningen", "IDF", "Idrottsnämnden"),
    ("Trafikförvaltningen", "TRF", "Trafiknämnden"),
]

COMPANIES = [
    "Bostadsbolaget",
    "Energi",
    "Vatten och Avfall",
    "Hamn",
    "Parkering",
    "Fastigheter",
    "Näringslivsbolaget",
    "Stadsnät",
    "Flygplats",
    "Turism och Evenemang",
    "Industrilokaler",
    "Kraftvärme",
    "Renhållning",
    "Studentbostäder",
    "Science Park",
    "Utvecklingsbolaget",
    "Teaterbolaget",
    "Arenabolaget",
    "Skogsbolaget",
    "Biogas",
    "Kollektivtrafik",
    "Omsorgsfastigheter",
]

# Activities and units by the theme of their administration (found from words in its name).
THEMES = {
    "school": (
        ("utbild", "skol", "barn", "gymnas", "försk"),
        ["Grundskola", "Förskola", "Fritidshem", "Elevhälsa", "Modersmål", "Särskola", "Gymnasium", "Vuxenutbildning"],
        ["{place}skolan", "{place}s förskola", "Förskolan {place}", "{place}skolan, fritids"],
    ),
    "care": (
        ("social", "omsorg", "vård"),
        ["Hemtjänst", "Särskilt boende", "Hemsjukvård", "LSS", "Individ- och familjeomsorg", "Socialpsykiatri"],
        ["Hemtjänst {place}", "{place}s äldreboende", "Gruppbostad {place}", "Daglig verksamhet {place}"],
    ),
    "technical": (
        ("tekn", "samhälls", "bygg", "miljö", "trafik"),
        ["Fastighet", "Gata och park", "VA-drift", "Bygglov", "Miljötillsyn", "Trafik", "Mark och exploatering"],
        ["Driftområde {place}", "Förråd {place}", "Arbetslag {place}"],
    ),
    "culture": (
        ("kultur", "fritid", "idrott"),
        ["Bibliotek", "Fritidsgårdar", "Idrottsanläggningar", "Kulturskola", "Museum"],
        ["{place}s bibliotek", "Fritidsgården {place}", "{place}badet"],
    ),
    "rescue": (
        ("räddning",),
        ["Operativ verksamhet", "Förebyggande", "Larm och ledning", "Beredskap"],
        ["Brandstation {place}", "Räddningsvärn {place}", "Skiftlag {place}"],
    ),
    "labour": (
        ("arbetsmarknad",),
        ["Arbetsmarknadsinsatser", "Försörjningsstöd", "Integration", "Vuxenutbildning"],
        ["Jobbtorg {place}", "Arbetslag {place}"],
    ),
    "central": (
        ("lednings", "service", "överförmyndar", "kansli"),
        ["Ekonomi", "HR", "IT", "Kommunikation", "Kansli", "Upphandling", "Kontaktcenter", "Måltid", "Lokalvård"],
        ["Team {place}", "Enhet {place}", "Gruppen {place}"],
    ),
}
COMPANY_UNITS = ["Drift", "Förvaltning", "Kundservice", "Projekt", "Underhåll", "Ekonomi", "Marknad"]

TITLES = {
    "school": ["Lärare", "Förskollärare", "Barnskötare", "Fritidspedagog", "Elevassistent", "Speciallärare"],
    "care": ["Undersköterska", "Vårdbiträde", "Sjuksköterska", "Stödassistent", "Socialsekreterare", "Boendestödjare"],
    "technical": ["Fastighetsskötare", "Drifttekniker", "Ingenjör", "Handläggare", "Inspektör", "Arbetsledare"],
    "culture": ["Bibliotekarie", "Fritidsledare", "Badmästare", "Kulturpedagog", "Vaktmästare"],
    "rescue": ["Brandman", "Styrkeledare", "Brandinspektör", "Räddningschef i beredskap"],
    "labour": ["Arbetskonsulent", "Handläggare", "Jobbcoach", "Studie- och yrkesvägledare"],
    "central": ["Controller", "HR-specialist", "IT-tekniker", "Kommunikatör", "Handläggare", "Måltidsbiträde"],
    "company": ["Drifttekniker", "Kundtjänstmedarbetare", "Projektledare", "Ekonom", "Montör", "Förvaltare"],
}

PARTY_WORDS = _words(
    "Norr Syd Fjäll Älv Skog Sjö Berg Dal Strand Ås Kust Mälar Vättern Polar Nord Väst Öst Granit Ek Björk "
    "Tall Ljus Sten Järn Falk Örn Varg"
)
PARTY_TRADES = {
    "contractor": ["Bygg", "Entreprenad", "El", "VVS", "Mark och Anläggning", "Måleri", "Tak", "Rivning"],
    "hired_staff": ["Bemanning", "Vårdbemanning", "Personalpool", "Rekrytering"],
    "consultant": ["Konsult", "Arkitekter", "Advokatbyrå", "Revision", "IT-konsult", "Säkerhetskonsult"],
    "supplier": ["Larm", "Säkerhet", "Städ", "Livs", "Kontorsvaror", "Data", "Transport", "Lås", "Fordon"],
    "other": ["Förening", "Stiftelse", "Utbildning", "Tolktjänst"],
}
PARTY_KIND_WEIGHTS = {"contractor": 30, "hired_staff": 10, "consultant": 20, "supplier": 35, "other": 5}
CONTRACT_TITLES = {
    "contractor": ["Ramavtal byggentreprenad", "Ramavtal elarbeten", "Underhållsentreprenad", "Markarbeten"],
    "hired_staff": ["Inhyrd personal", "Bemanning sjuksköterskor", "Bemanning vikarier"],
    "consultant": ["Konsulttjänster", "Juridisk rådgivning", "Granskning", "Utredning"],
    "supplier": ["Larm och bevakning", "Lokalvård", "Livsmedel", "IT-drift", "Låsservice", "Leasing fordon"],
    "other": ["Samverkansavtal", "Tolktjänster", "Föreningsbidrag med avtal"],
}
BOARD_PREFIXES = ["KS", "TN", "BUN", "SN", "SBN", "KFN", "VON"]

# Governing documents: what they are about (the title's subject, then what the text handles),
# and sentences to build their Markdown texts from. The search word of bench/run.py
# ("brandskydd") is a subject and also turns up in the inspection sentences, so that full-text
# search finds it in about one document in five, in the title or only in the text.
DOCUMENT_SUBJECTS = [
    ("nyckelhantering", "nycklar, nyckelkort och passerbrickor"),
    ("brandskydd", "det systematiska brandskyddsarbetet"),
    ("informationssäkerhet", "information och informationssystem"),
    ("kameraövervakning", "kameror och inspelat material"),
    ("hot och våld", "hot och våld mot medarbetare"),
    ("krisberedskap", "krisledning och beredskap"),
    ("larm och passersystem", "inbrottslarm, överfallslarm och passersystem"),
    ("ensamarbete", "ensamarbete och hembesök"),
    ("säkerhetsskydd", "säkerhetskänslig verksamhet och säkerhetsprövning"),
    ("kontinuitetshantering", "reservrutiner vid avbrott i el, vatten och IT"),
    ("utrymning", "utrymningsvägar och återsamlingsplatser"),
    ("incidentrapportering", "tillbud, skador och avvikelser"),
    ("skalskydd", "dörrar, fönster, lås och staket"),
    ("besökshantering", "besökare, leverantörer och entreprenörer"),
    ("IT-säkerhet", "behörigheter, lösenord och säkerhetskopiering"),
    ("personuppgifter", "behandlingen av personuppgifter"),
    ("stöldskydd", "utrustning, verktyg och fordon"),
    ("klotter och skadegörelse", "sanering av klotter och anmälan av skadegörelse"),
    ("reservkraft", "reservkraftverk och elförsörjning"),
    ("dricksvatten", "dricksvattenförsörjning i kris"),
    ("evenemangssäkerhet", "publika evenemang och arrangemang"),
    ("tjänsteresor", "resor i tjänsten, inom och utom landet"),
    ("sekretess", "allmänna handlingar och sekretess"),
    ("värdehantering", "kontanter och värdeföremål"),
    ("tjänstefordon", "tjänstefordon och transporter"),
    ("kemikaliehantering", "kemikalier och brandfarliga varor"),
    ("räddningsinsatser", "samverkan med räddningstjänsten"),
    ("säkerhetsorganisation", "ansvar och roller i säkerhetsarbetet"),
]
DOCUMENT_ROLES = [
    "Enhetschefen",
    "Verksamhetschefen",
    "Förvaltningschefen",
    "Förvaltningssamordnaren",
    "Säkerhetssamordnaren",
    "Varje medarbetare",
    "Fastighetsförvaltaren",
    "IT-avdelningen",
    "Dokumentägaren",
    "Brandskyddsansvarig",
]
DOCUMENT_OFTEN = [
    "årligen",
    "varje kvartal",
    "varje månad",
    "minst två gånger per år",
    "vid varje förändring i verksamheten",
    "inför varje mandatperiod",
    "efter varje allvarlig händelse",
]
DOCUMENT_CHECKS = [
    "brandskydd och utrymningsvägar",
    "lås och larm",
    "passerkort och behörigheter",
    "reservkraft",
    "brandskyddsutrustning",
    "säkerhetskopior",
    "förbandslådor och hjärtstartare",
    "skalskydd",
]
DOCUMENT_SENTENCES = [
    "Syftet är att {object} hanteras på ett säkert och enhetligt sätt.",
    "Dokumentet gäller för alla medarbetare inom {unit}, även vikarier och praktikanter.",
    "{role} ansvarar för att arbetet med {subject} följs upp {often}.",
    "Avvikelser som rör {object} rapporteras i Värna utan dröjsmål.",
    "En förteckning över {object} hålls aktuell och ses över {often}.",
    "Risker som rör {subject} bedöms i den årliga risk- och sårbarhetsanalysen.",
    "Nya medarbetare får information om {subject} inom {days} dagar från anställningens början.",
    "Kontroll av {check} görs {often} och dokumenteras.",
    "{role} ser till att rutinerna för {subject} är kända på arbetsplatsen.",
    "Vid en allvarlig händelse kontaktas i första hand {role_lower}.",
    "Brister i {check} åtgärdas så snart som möjligt och senast inom {days} dagar.",
    "Samverkan med andra förvaltningar och kommunala bolag sker genom säkerhetsgruppen.",
    "Övningar i {subject} genomförs {often} tillsammans med berörda verksamheter.",
    "Dokumentet ska läsas tillsammans med kommunens säkerhetspolicy och riktlinjer.",
    "Kostnader till följd av skador och störningar följs upp {often}.",
    "Entreprenörer och leverantörer informeras om vad som gäller för {object}.",
]
DOCUMENT_STEPS = [
    "kontrollera att {object} är i ordning",
    "anmäl förlust eller skada till {role_lower} samma dag",
    "dokumentera åtgärden i Värna",
    "informera berörda medarbetare",
    "se över behörigheterna för {subject}",
    "kontakta larmcentralen vid larm",
    "följ upp att bristen är åtgärdad",
    "spärra förlorade kort och koder omedelbart",
]
DOCUMENT_SECTIONS = ["Syfte", "Omfattning", "Ansvar", "Rutin", "Uppföljning", "Definitioner", "Vid avvikelse"]
VERSION_NOTES = [
    "Uppdaterad efter årlig granskning",
    "Förtydligat ansvar",
    "Anpassad till ny organisation",
    "Nya kontaktuppgifter",
    "Redaktionella ändringar",
    "Ändrad efter remiss",
    "Kompletterad efter inträffad händelse",
]
CLASSIFIED_GROUND = "OSL 18 kap. 8 §"

# Risks: (title template, kind, category, description templates). {object}, {area}, {place},
# {activity} and {system} are filled from the lists below and the unit's name. The search word
# of bench/run.py ("brand") is in the fire titles and in some other descriptions: about one risk
# in ten has it in its title or description.
RISK_TEMPLATES = [
    (
        "Brand i {object}",
        "hazard",
        "Brand",
        [
            "Brand nattetid med få medarbetare i tjänst och personer som inte kan utrymma själva.",
            "Brand i kök eller tvättstuga som sprider sig till angränsande lokaler.",
        ],
    ),
    (
        "Anlagd brand vid {object}",
        "threat",
        "Brand",
        ["Anlagd brand i soprum, förråd eller fasad kvällstid och helger."],
    ),
    (
        "Långvarigt elavbrott i {area}",
        "dependency",
        "Teknisk infrastruktur",
        [
            "Elavbrott över 72 timmar vintertid; värme, vatten och kommunikationer slås ut.",
            "Elavbrott efter storm eller fel i regionnätet som slår ut verksamheten i {activity}.",
        ],
    ),
    (
        "Avbrott i vattenförsörjningen i {area}",
        "dependency",
        "Teknisk infrastruktur",
        ["Ledningsbrott eller förorening gör dricksvattnet otjänligt i flera dygn."],
    ),
    (
        "Avbrott i fjärrvärmen i {area}",
        "dependency",
        "Teknisk infrastruktur",
        ["Fjärrvärmen faller bort under en köldperiod och lokalerna kyls ut."],
    ),
    (
        "Hot mot personal i {activity}",
        "threat",
        "Hot och våld",
        [
            "Hot och våld vid myndighetsutövning, hembesök och i mottagningen.",
            "Anhöriga eller besökare hotar medarbetare efter ett beslut.",
        ],
    ),
    (
        "Våld mot personal vid hembesök inom {activity}",
        "threat",
        "Hot och våld",
        ["Medarbetare som arbetar ensamma i hemmiljö utsätts för våld."],
    ),
    (
        "Otillåten påverkan på handläggare i {activity}",
        "threat",
        "Hot och våld",
        ["Trakasserier, hot eller mutförsök för att påverka ett beslut."],
    ),
    (
        "IT-angrepp mot {system}",
        "threat",
        "Informationssäkerhet",
        [
            "Angrepp med utpressningsprogram som krypterar systemet och dess säkerhetskopior.",
            "Nätfiske ger en angripare åtkomst till konton med höga behörigheter.",
        ],
    ),
    (
        "Avbrott i {system}",
        "dependency",
        "Informationssäkerhet",
        ["Systemet är otillgängligt i flera dagar och verksamheten måste använda reservrutiner."],
    ),
    (
        "Läckage av personuppgifter ur {system}",
        "threat",
        "Informationssäkerhet",
        ["Känsliga personuppgifter sprids efter felaktiga behörigheter eller intrång."],
    ),
    (
        "Översvämning vid {place}",
        "hazard",
        "Naturolyckor",
        ["Skyfall eller vårflod som översvämmar källare, vägar och pumpstationer."],
    ),
    (
        "Skogsbrand nära {place}",
        "hazard",
        "Naturolyckor",
        ["Stor skogsbrand under torr sommar som hotar bebyggelse och kräver utrymning."],
    ),
    (
        "Inbrott och stöld i {object}",
        "threat",
        "Brott",
        [
            "Inbrott nattetid med stöld av datorer, verktyg och läkemedel.",
            "Stöld av nycklar och passerkort som ger obehöriga tillträde.",
        ],
    ),
    (
        "Skadegörelse och klotter på {object}",
        "threat",
        "Skadegörelse",
        ["Återkommande skadegörelse, krossade rutor och klotter kvällar och helger."],
    ),
    (
        "Stort personalbortfall i {activity}",
        "dependency",
        "Personal",
        ["Sjukdom, strejk eller pandemi gör att en tredjedel av personalen är borta i flera veckor."],
    ),
    (
        "Leverantören av {service} slutar leverera",
        "dependency",
        "Leverantörer",
        ["Leverantören går i konkurs eller drabbas av ett avbrott och kan inte leverera på flera veckor."],
    ),
    (
        "Smittspridning i {activity}",
        "hazard",
        "Smittskydd",
        ["Utbrott av vinterkräksjuka eller influensa bland brukare och personal."],
    ),
    (
        "Kemikalieolycka vid {place}",
        "hazard",
        "Olyckor",
        ["Utsläpp av kemikalier vid transport eller lossning nära bostäder och vattentäkt."],
    ),
    (
        "Fall- och halkolyckor vid {object}",
        "hazard",
        "Arbetsmiljö",
        ["Halka vintertid vid entréer och på gångvägar där brukare och personal rör sig."],
    ),
    (
        "Våldsbejakande extremism riktad mot {activity}",
        "threat",
        "Antagonistiska hot",
        ["Hot mot förtroendevalda och medarbetare från våldsbejakande miljöer."],
    ),
]
RISK_TEMPLATE_WEIGHTS = [4, 2.5, 6, 4, 3, 7, 4, 3, 6, 5, 4, 4, 1.5, 6, 5, 6, 4, 4, 2, 4, 2]
# Other sentences for descriptions; the first mentions fire (so it is found by "brand" too).
RISK_SENTENCES = [
    "Ett elfel kan också orsaka brand i utrustningen.",
    "Händelsen har inträffat i en grannkommun de senaste åren.",
    "Verksamheten saknar i dag en dokumenterad reservrutin.",
    "Risken bedömdes senast i förvaltningens riskanalys.",
    "Konsekvensen blir störst för äldre och personer med funktionsnedsättning.",
    "Samverkan med räddningstjänsten och polisen behövs vid en allvarlig händelse.",
]
RISK_SENTENCE_WEIGHTS = [1, 4, 4, 4, 4, 4]
RISK_CAUSES = [
    "Storm och snölast på ledningar.",
    "Bristande underhåll.",
    "Den mänskliga faktorn.",
    "Medvetna angrepp.",
    "Beroende av en enda leverantör.",
    "Torka och höga temperaturer.",
    "",
]
RISK_OBJECTS = [
    "{place}skolan",
    "särskilt boende {place}",
    "förskolan {place}",
    "kommunhuset",
    "idrottshallen i {place}",
    "vattenverket i {place}",
    "reningsverket",
    "biblioteket i {place}",
    "fritidsgården {place}",
    "gruppbostaden {place}",
    "förrådet i {place}",
    "simhallen",
]
RISK_AREAS = ["hela kommunen", "tätorten", "{place}", "centrala {place}", "ytterområdena", "industriområdet {place}"]
RISK_SYSTEMS = [
    "ekonomisystemet",
    "verksamhetssystemet för socialtjänsten",
    "journalsystemet",
    "lönesystemet",
    "skolplattformen",
    "e-posten",
    "ärendehanteringssystemet",
    "styrsystemet för vattenverket",
    "passersystemet",
    "telefonin",
]
RISK_SERVICES = ["livsmedel", "drivmedel", "läkemedel", "IT-drift", "skolskjuts", "tvätt", "städning", "reservkraft"]
# Measures by the risk's category: title templates ({object} etc. as for risks).
MEASURE_TEMPLATES = {
    "Brand": [
        "Installera automatiskt brandlarm i {object}",
        "Boendesprinkler i {object}",
        "Utbildning i utrymning för nattpersonal",
        "Översyn av det systematiska brandskyddsarbetet",
    ],
    "Teknisk infrastruktur": [
        "Reservkraft till {object}",
        "Plan för nödvatten med tankar och tappställen",
        "Övning i drift utan el",
        "Avtal om prioriterad elförsörjning",
    ],
    "Hot och våld": [
        "Larmknappar och rutin för hembesök i par",
        "Utbildning i hot och våld för medarbetarna",
        "Ombyggnad av mottagningen med skyddad disk",
        "Rutin för anmälan av hot",
    ],
    "Informationssäkerhet": [
        "Säkerhetskopior utan nätverksåtkomst och övad återläsning",
        "Tvåfaktorsinloggning i {system}",
        "Reservrutiner på papper vid avbrott i {system}",
        "Översyn av behörigheterna i {system}",
    ],
    "Naturolyckor": [
        "Pumpar och skyddsvallar vid {place}",
        "Plan för utrymning vid skogsbrand",
        "Skyfallskartering av {place}",
    ],
    "Brott": [
        "Byte till elektroniskt passersystem i {object}",
        "Inbrottslarm och bevakning av {object}",
        "Rutin för kvittering av nycklar",
    ],
    "Skadegörelse": ["Kamerabevakning och belysning vid {object}", "Snabb sanering av klotter"],
    "Personal": ["Bemanningsplan vid stort personalbortfall", "Avtal med bemanningsföretag"],
    "Leverantörer": ["Reservleverantör för {service}", "Lager för en veckas förbrukning av {service}"],
    "Smittskydd": ["Utbildning i basala hygienrutiner", "Lager av skyddsutrustning"],
    "Olyckor": ["Samverkansövning med räddningstjänsten", "Skyddsavstånd i detaljplanen vid {place}"],
    "Arbetsmiljö": ["Halkbekämpning vid entréerna", "Skyddsronder två gånger per år"],
    "Antagonistiska hot": ["Säkerhetssamtal med förtroendevalda", "Skalskydd för sammanträdeslokalen"],
}
MEASURE_DESCRIPTIONS = [
    "Åtgärden följs upp i förvaltningens säkerhetsgrupp.",
    "Kostnaden ryms i budgeten för underhåll.",
    "Genomförs tillsammans med fastighetsägaren.",
    "Kräver upphandling.",
    "",
]
OPENNESS_NOTES = [
    "Besök bokas i förväg och mottagningen hålls öppen med larmknapp vid disken.",
    "Lokalerna är öppna som förut dagtid; passerkort krävs bara kvällar och helger.",
    "Kamerorna täcker bara entréerna; skyltar informerar besökarna.",
    "Allmänheten når verksamheten per telefon och e-post under ombyggnaden.",
]
ACCEPTANCE_REASONS = [
    "Kostnaden för ytterligare åtgärder står inte i proportion till risken.",
    "Risken är låg och följs upp i nästa analys.",
    "Verksamheten upphör inom två år.",
    "Åtgärder är genomförda; kvarvarande risk godtas.",
]
ANALYSIS_METHOD = "Workshop med verksamheten; bedömning på kommunens skalor för sannolikhet och konsekvens."


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


def body_abbreviation(body) -> str:
    """The prefix of a body's record numbers: KF, KS, or the initials of its name (VON, ...)."""
    fixed = {"council": "KF", "executive_board": "KS"}
    if body.kind in fixed:
        return fixed[body.kind]
    words = [w for w in body.name.replace("-", " ").split() if w.lower() not in ("och", "för", "i", "av", "ab")]
    initials = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return initials if len(initials) > 1 else f"{initials}N"


def theme_of(name: str) -> str:
    lower = name.lower()
    for key, (words, _activities, _units) in THEMES.items():
        if any(word in lower for word in words):
            return key
    return "central"


def skewed(n: int) -> list[float]:
    """Weights for the levels 1..n of a risk scale, most risks low: for five levels about
    38/32/18/9/3 % (with the worst of several dimensions, about 15 % of the risks end up red)."""
    if n == 5:
        return [38, 32, 18, 9, 3]
    return [0.65**i for i in range(n)]


@dataclass
class PlannedUnit:
    """A unit to be created; `parent` is an OrgUnit or another PlannedUnit."""

    kind: str
    name: str
    code: str
    parent: object
    theme: str
    body: object = None
    obj: object = None
    children: list = field(default_factory=list)


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "varna.settings"
    os.environ["VARNA_ENV"] = "development"
    import django

    django.setup()


def levels(profile):
    """(root, administration, activity, unit, company) level keys from the profile's order."""
    plain = [k for k, v in profile.unit_levels.items() if not v["company"]]
    company = profile.company_levels()
    if len(plain) < 4 or not company:
        raise SystemExit(f"The profile {profile.key} needs four plain levels and a company level to generate data.")
    return plain[0], plain[1], plain[2], plain[3], company[0]


def role_keys(profile):
    """(group coordinator, head, unit coordinator) role keys."""
    heads = profile.roles_with(responsibility="head")
    coordinators = profile.roles_with(responsibility="coordinator")
    group_coord = next((k for k in coordinators if "group" in k), None)
    unit_coord = next((k for k in coordinators if k != group_coord), None)
    if not heads or not group_coord or not unit_coord:
        raise SystemExit(f"The profile {profile.key} lacks a head, a group coordinator or a unit coordinator role.")
    return group_coord, heads[0], unit_coord


class Generator:
    def __init__(self, group, profile, scale: Scale, seed: int):
        from django.utils import timezone

        self.group = group
        self.profile = profile
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.root_level, self.admin_level, self.activity_level, self.unit_level, self.company_level = levels(profile)
        self.group_coord_role, self.head_role, self.coord_role = role_keys(profile)

    # --- org units ------------------------------------------------------------------------

    def plan_units(self):
        from varna.organisation.models import Body, OrgUnit

        rng = self.rng
        existing = list(OrgUnit.objects.filter(group=self.group).order_by("path"))
        self.codes = {u.code for u in existing}
        by_kind: dict[str, list] = {}
        for unit in existing:
            by_kind.setdefault(unit.kind, []).append(unit)
        root = next(u for u in existing if u.parent_id is None)
        self.root = root
        self.existing_units = existing
        # An existing unit takes the theme of its administration (the first unit below the root).
        names = {u.pk: u.name for u in existing}
        self.theme = {}
        for u in existing:
            top = names[int(u.path.split(".")[1])] if u.depth >= 1 else u.name
            self.theme[u.pk] = "company" if u.kind == self.company_level else theme_of(top)
        plans: list[PlannedUnit] = []
        new_bodies: list = []
        council = Body.objects.filter(group=self.group, kind="council").first()

        def unique(code: str) -> str:
            candidate, n = code, 2
            while candidate in self.codes:
                candidate, n = f"{code}{n}", n + 1
            self.codes.add(candidate)
            return candidate

        def body(kind: str, name: str):
            b = Body(group=self.group, kind=kind, name=name, parent=council if kind == "committee" else None)
            new_bodies.append(b)
            return b

        # Administrations under the root, each with its committee.
        admins = [(u, self.theme[u.pk]) for u in by_kind.get(self.admin_level, [])]
        names = [a for a in ADMINISTRATIONS if a[0] not in {u.name for u, _ in admins}]
        for name, code, committee in names[: max(0, self.scale.administrations - len(admins))]:
            plan = PlannedUnit(self.admin_level, name, unique(code), root, theme_of(name), body("committee", committee))
            plans.append(plan)
            admins.append((plan, plan.theme))

        # Activities under administrations: bigger administrations (care, school) get more.
        n_activities = max(0, self.scale.activities - len(by_kind.get(self.activity_level, [])))
        weights = [3 if theme in ("care", "school") else 1 for _, theme in admins]
        activities = [(u, self.theme[u.pk]) for u in by_kind.get(self.activity_level, [])]
        counters: dict[int, int] = {}
        for admin, theme in rng.choices(admins, weights=weights, k=n_activities):
            counters[id(admin)] = counters.get(id(admin), 0) + 1
            base = rng.choice(THEMES[theme][1])
            plan = PlannedUnit(
                self.activity_level,
                f"{base} {rng.choice(PLACES)}",
                unique(f"{admin.code}-{counters[id(admin)]:02d}"),
                admin,
                theme,
                self._body_of(admin),
            )
            plans.append(plan)
            activities.append((plan, theme))

        # Companies: under the holding company if there is one, a few a level further down.
        companies = list(by_kind.get(self.company_level, []))
        holding = companies[0] if companies else root
        prefix = self.group.municipality_name.replace(" kommun", "")
        for i, name in enumerate(COMPANIES[: max(0, self.scale.companies - len(companies))]):
            parent = holding if i % 6 != 5 or len(companies) < 2 else rng.choice(companies[1:])
            full = f"{prefix} {name} AB"
            plan = PlannedUnit(
                self.company_level, full, unique(f"BOL{i + 1:02d}"), parent, "company", body("company_board", full)
            )
            plans.append(plan)
            companies.append(plan)

        # Units: most under activities, some in companies, and one in seven nested under another unit.
        n_units = self.scale.units - len(existing) - len(plans)
        units: list = []
        for _ in range(max(0, n_units)):
            roll = rng.random()
            if roll < 0.08 and companies:
                parent, theme = rng.choice(companies), "company"
                name = f"{rng.choice(COMPANY_UNITS)} {rng.choice(PLACES)}"
            elif roll < 0.22 and units:
                parent, theme = rng.choice(units)
                name = f"{parent.name} {rng.choice(['lag', 'avdelning', 'grupp'])} {rng.randint(1, 9)}"
            else:
                parent, theme = rng.choice(activities)
                template = rng.choice(THEMES[theme if theme in THEMES else "central"][2])
                name = template.format(place=rng.choice(PLACES))
            counters[id(parent)] = counters.get(id(parent), 0) + 1
            plan = PlannedUnit(
                self.unit_level,
                name,
                unique(f"{parent.code}-{counters[id(parent)]:02d}"),
                parent,
                theme,
                self._body_of(parent),
            )
            plans.append(plan)
            units.append((plan, theme))
        return plans, new_bodies

    @staticmethod
    def _body_of(parent):
        if isinstance(parent, PlannedUnit):
            return parent.body
        return parent.responsible_body if parent.responsible_body_id else None

    def create_units(self):
        from varna.organisation.models import Body, OrgUnit

        plans, bodies = self.plan_units()
        Body.objects.bulk_create(bodies, batch_size=BATCH)
        pending = plans
        created: list = []
        while pending:
            # One wave: every planned unit whose parent already exists, then its paths.
            wave = [p for p in pending if not isinstance(p.parent, PlannedUnit) or p.parent.obj is not None]
            in_wave = {id(p) for p in wave}
            pending = [p for p in pending if id(p) not in in_wave]
            objs = []
            for p in wave:
                parent = p.parent.obj if isinstance(p.parent, PlannedUnit) else p.parent
                p.obj = OrgUnit(
                    group=self.group,
                    parent=parent,
                    kind=p.kind,
                    name=p.name[:200],
                    code=p.code,
                    responsible_body=p.body,
                )
                objs.append(p.obj)
            OrgUnit.objects.bulk_create(objs, batch_size=BATCH)
            for p in wave:
                parent = p.obj.parent
                p.obj.path = f"{parent.path if parent else ''}{p.obj.pk:06d}."
                p.obj.depth = p.obj.path.count(".") - 1
            OrgUnit.objects.bulk_update(objs, ["path", "depth"], batch_size=BATCH)
            created.extend(p.obj for p in wave)
        self.theme.update({p.obj.pk: p.theme for p in plans})
        self.units = [*self.existing_units, *created]
        return created, bodies

    # --- people ---------------------------------------------------------------------------

    def create_people(self):
        from varna.organisation.models import Person

        rng = self.rng
        existing_numbers = set(
            Person.objects.filter(group=self.group)
            .exclude(employee_number="")
            .values_list("employee_number", flat=True)
        )
        # Units vary in size (log-normal); care and schools are the big employers, companies small.
        weight_by_kind = {self.root_level: 0.2, self.admin_level: 3, self.activity_level: 4, self.company_level: 3}
        weight_by_theme = {"care": 1.6, "school": 1.5, "company": 0.6}
        units = self.units
        weights = [
            weight_by_kind.get(u.kind, 1) * weight_by_theme.get(self.theme[u.pk], 1) * rng.lognormvariate(3.4, 0.7)
            for u in units
        ]
        # Every unit has at least one person (its head is chosen among them); the rest by weight.
        n_existing = Person.objects.filter(group=self.group).count()
        n_new = max(0, self.scale.people - n_existing)
        assigned = list(units[: min(len(units), n_new)]) + rng.choices(
            units, weights=weights, k=max(0, n_new - len(units))
        )
        people = []
        number = 100_000
        domain = "kommun.example.se"
        for i, unit in enumerate(assigned):
            number += 1
            while str(number) in existing_numbers:
                number += 1
            first = rng.choice(FIRST_NAMES)
            last = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            start = self.today - datetime.timedelta(days=int(rng.expovariate(1 / 2500)) + 1)
            end = None
            if rng.random() < 0.02:
                end = self.today - datetime.timedelta(days=rng.randint(1, 700))
                start = min(start, end - datetime.timedelta(days=30))
            people.append(
                Person(
                    group=self.group,
                    first_name=first,
                    last_name=last,
                    title=rng.choice(TITLES[self.theme.get(unit.pk, "central")]),
                    employee_number=str(number),
                    email=f"{ascii_slug(first)}.{ascii_slug(last)}{i % 97 or ''}@{domain}",
                    phone=f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    unit=unit,
                    employment_start=start,
                    employment_end=end,
                )
            )
        Person.objects.bulk_create(people, batch_size=BATCH)
        self.people_by_unit: dict[int, list] = {}
        for person in people:
            if person.employment_end is None:
                self.people_by_unit.setdefault(person.unit_id, []).append(person)
        return people

    # --- role assignments -----------------------------------------------------------------

    def create_roles(self):
        from varna.organisation.models import Person, RoleAssignment

        rng = self.rng
        today = self.today
        current = RoleAssignment.objects.current(today).filter(unit__group=self.group)
        has = set(current.values_list("unit_id", "role"))
        roles: list = []
        retitled: list = []

        def since() -> datetime.date:
            return today - datetime.timedelta(days=rng.randint(30, 8 * 365))

        def pick(unit):
            staff = self.people_by_unit.get(unit.pk)
            return rng.choice(staff) if staff else None

        other_roles = [r for r in ("key_administrator", "document_owner", "reader") if r in self.profile.role_types]
        for unit in self.units:
            level = self.profile.unit_levels.get(unit.kind, {})
            if level.get("expects_head", True) and (unit.pk, self.head_role) not in has and rng.random() < 0.9:
                head = pick(unit)
                if head is not None:
                    start = since()
                    roles.append(RoleAssignment(person=head, role=self.head_role, unit=unit, valid_from=start))
                    head_title = level.get("head_title")
                    if head_title:
                        head.title = head_title.get("sv") or head.title
                        retitled.append(head)
                    if rng.random() < 0.06:
                        # The previous head: an ended assignment.
                        before = pick(unit) or head
                        ended = start - datetime.timedelta(days=1)
                        begun = ended - datetime.timedelta(days=rng.randint(365, 6 * 365))
                        roles.append(
                            RoleAssignment(
                                person=before, role=self.head_role, unit=unit, valid_from=begun, valid_to=ended
                            )
                        )
            if level.get("expects_coordinator") and (unit.pk, self.coord_role) not in has and rng.random() < 0.85:
                coordinator = pick(unit)
                if coordinator is not None:
                    roles.append(
                        RoleAssignment(person=coordinator, role=self.coord_role, unit=unit, valid_from=since())
                    )
            if other_roles and unit.depth >= 1 and rng.random() < 0.12:
                holder = pick(unit)
                if holder is not None:
                    role = rng.choice(other_roles)
                    ended = rng.random() < 0.1
                    valid_to = today - datetime.timedelta(days=rng.randint(1, 900)) if ended else None
                    valid_from = (valid_to or today) - datetime.timedelta(days=rng.randint(30, 2000))
                    roles.append(
                        RoleAssignment(person=holder, role=role, unit=unit, valid_from=valid_from, valid_to=valid_to)
                    )
        RoleAssignment.objects.bulk_create(roles, batch_size=BATCH)
        Person.objects.bulk_update(retitled, ["title"], batch_size=BATCH)
        return roles

    # --- external parties -----------------------------------------------------------------

    def create_parties(self):
        from varna.organisation.models import Contract, ExternalParty

        rng = self.rng
        n_new = max(0, self.scale.parties - ExternalParty.objects.filter(group=self.group).count())
        candidates = [u for u in self.units if u.depth >= 1]
        weight = {self.admin_level: 40, self.activity_level: 6, self.company_level: 10}
        weights = [weight.get(u.kind, 1) for u in candidates]
        subtree: dict[str, list] = {}
        for unit in self.units:
            if unit.depth >= 1:
                top = unit.path.split(".")[1]
                subtree.setdefault(top, []).append(unit)
        kinds = list(PARTY_KIND_WEIGHTS)
        kind_weights = list(PARTY_KIND_WEIGHTS.values())
        parties, contract_units = [], []
        contracts: list = []
        used_names: set[str] = set()
        for i in range(n_new):
            kind = rng.choices(kinds, weights=kind_weights)[0]
            unit = rng.choices(candidates, weights=weights)[0]
            name = (
                f"{rng.choice(PARTY_WORDS)}{rng.choice(['', 's', 'lands', 'dalens'])} {rng.choice(PARTY_TRADES[kind])}"
            )
            name = f"{name} {rng.choice(['AB', 'AB', 'AB', 'HB', 'Ekonomisk förening'])}"
            if name in used_names:
                name = f"{name} ({rng.choice(PLACES)})"
            used_names.add(name)
            roll = rng.random()
            classification = "classified" if roll < 0.05 else "public" if roll < 0.15 else "internal"
            contact_first, contact_last = rng.choice(FIRST_NAMES), rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            party = ExternalParty(
                group=self.group,
                name=name,
                kind=kind,
                unit=unit,
                org_number=f"55{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
                contact_name=f"{contact_first} {contact_last}",
                contact_email=f"{ascii_slug(contact_first)}@{ascii_slug(name.split()[0])}{i}.example",
                contact_phone=f"0{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
                classification=classification,
                classification_ground="OSL 18 kap. 8 §" if classification == "classified" else "",
            )
            parties.append(party)
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3])):
                start = self.today - datetime.timedelta(days=rng.randint(0, 8 * 365))
                end = None if rng.random() < 0.2 else start + datetime.timedelta(days=rng.randint(365, 5 * 365))
                contracts.append(
                    Contract(
                        party=party,
                        title=rng.choice(CONTRACT_TITLES[kind]),
                        reference=f"{rng.choice(BOARD_PREFIXES)} {start.year}/{rng.randint(1, 400)}",
                        valid_from=start,
                        valid_to=end,
                    )
                )
                served = {unit}
                pool = subtree.get(unit.path.split(".")[1], [unit])
                served.update(rng.sample(pool, min(len(pool), rng.choice([0, 0, 1, 2, 3]))))
                contract_units.append(sorted(served, key=lambda u: u.pk))
        ExternalParty.objects.bulk_create(parties, batch_size=BATCH)
        for contract in contracts:
            contract.party_id = contract.party.pk
        Contract.objects.bulk_create(contracts, batch_size=BATCH)
        Through = Contract.units.through
        links = [
            Through(contract_id=contract.pk, orgunit_id=unit.pk)
            for contract, served in zip(contracts, contract_units, strict=True)
            for unit in served
        ]
        Through.objects.bulk_create(links, batch_size=BATCH)
        return parties, contracts, links

    # --- governing documents --------------------------------------------------------------

    def create_documents(self):
        """Governing documents with versions, decisions, reviews, notification duties and the
        owners' review tasks, following the profile's document kinds and the lifecycle of
        documents/services.py:

        - kinds without a parent kind (the policy) once at the root, kinds decided by a body of
          which the group has one (the executive board's guidelines) about 20 at the root, kinds
          decided by a body of which there are several (committees, company boards) at the
          administrations and companies, kinds decided by a head in activities and units;
        - every decided version has one decision by a decider the rule allows: the body
          responsible for the owner unit (or the only body of the kind), or the nearest holder of
          the deciding role on the decision day (older decisions are moved after the day from
          which the role has been held without a gap);
        - next review = in force from (or the day of a review without change) + the kind's
          interval; about 10 % of the documents are overdue; an open review for every applying
          document due within 30 days, with a task for its owner, as the daily job makes them.
        """
        from django.conf import settings
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone, translation
        from django.utils.translation import gettext

        from varna.core.models import Task
        from varna.documents import services
        from varna.documents.models import (
            Decision,
            Document,
            DocumentVersion,
            NotificationDuty,
            Review,
            Status,
        )
        from varna.organisation.models import Body, RoleAssignment

        rng, today, profile, group = self.rng, self.today, self.profile, self.group
        days = datetime.timedelta
        kinds = profile.document_kinds
        existing = list(Document.objects.filter(group=group))
        n_new = max(0, self.scale.documents - len(existing))
        if not kinds or not n_new:
            return [], [], [], [], [], []

        # Who decides: bodies by kind, holders of the deciding roles with their validity.
        bodies = list(Body.objects.filter(group=group).order_by("name", "pk"))
        bodies_by_pk = {b.pk: b for b in bodies}
        of_kind: dict[str, list] = {}
        for b in bodies:
            of_kind.setdefault(b.kind, []).append(b)
        units_by_pk = {u.pk: u for u in self.units}
        heads = set(profile.roles_with(responsibility="head"))
        deciding_roles = {spec["decided_by_role"] for spec in kinds.values() if spec.get("decided_by_role")}
        holders: dict[tuple[int, str], list] = {}
        for unit_id, role, person_id, valid_from, valid_to in RoleAssignment.objects.filter(
            unit__group=group, role__in=deciding_roles
        ).values_list("unit_id", "role", "person_id", "valid_from", "valid_to"):
            holders.setdefault((unit_id, role), []).append(
                (valid_from or datetime.date.min, valid_to or datetime.date.max, person_id)
            )
        for spans in holders.values():
            spans.sort()

        def chain(unit) -> list[int]:
            """The unit's id, then its ancestors' ids, nearest first (as services.DecisionRules)."""
            return [int(part) for part in reversed(unit.path.strip(".").split(".")) if part]

        def body_for(spec, unit):
            candidates = of_kind[spec["decided_by_body"]]
            if len(candidates) > 1:
                for unit_id in chain(unit):
                    u = units_by_pk.get(unit_id)
                    if u is not None and u.responsible_body_id:
                        return bodies_by_pk[u.responsible_body_id]
            return candidates[0]

        def holder(role, unit, day):
            for unit_id in chain(unit):
                for valid_from, valid_to, person_id in holders.get((unit_id, role), ()):
                    if valid_from <= day <= valid_to:
                        return person_id
            return None

        covered: dict[tuple[str, int], datetime.date | None] = {}

        def covered_since(role, unit):
            """The first day from which someone on the unit's chain has held the role every day
            until today (None if nobody holds it today)."""
            key = (role, unit.pk)
            if key not in covered:
                spans = sorted(s[:2] for unit_id in chain(unit) for s in holders.get((unit_id, role), ()))
                segments: list[list] = []
                for start, end in spans:
                    if segments and (start <= segments[-1][1] or (start - segments[-1][1]).days <= 1):
                        segments[-1][1] = max(segments[-1][1], end)
                    else:
                        segments.append([start, end])
                covered[key] = next((s for s, e in segments if s <= today <= e), None)
            return covered[key]

        # Where each kind lives and how many of it to make.
        tier: dict[str, str] = {}
        for key, spec in kinds.items():
            if spec.get("decided_by_body"):
                if not of_kind.get(spec["decided_by_body"]):
                    continue  # no body of the kind in the group: nobody could decide it
                many = len(of_kind[spec["decided_by_body"]]) > 1
                tier[key] = "top" if not spec.get("parent_kinds") else "admin" if many else "group"
            elif spec.get("decided_by_role"):
                local = spec["decided_by_role"] in heads and spec.get("parent_kinds")
                tier[key] = "local" if local else "top" if not spec.get("parent_kinds") else "group"
        have: dict[str, int] = {}
        for d in existing:
            have[d.kind] = have.get(d.kind, 0) + 1
        by_tier = {t: [k for k in tier if tier[k] == t] for t in ("top", "group", "admin", "local")}
        want: dict[str, int] = {}
        for i, key in enumerate(by_tier["top"]):
            want[key] = 1 if i == 0 else 2
        for t, total in (("group", 20), ("admin", max(len(by_tier["admin"]), self.scale.documents * 3 // 100))):
            for i, key in enumerate(by_tier[t]):
                want[key] = total // len(by_tier[t]) + (i < total % len(by_tier[t]))
        new = {key: max(0, want.get(key, 0) - have.get(key, 0)) for key in tier}
        rest = max(0, n_new - sum(new.values()))
        spread = by_tier["local"] or by_tier["admin"] or by_tier["group"] or by_tier["top"]
        shares = [0.6] + [0.4 / (len(spread) - 1)] * (len(spread) - 1) if len(spread) > 1 else [1.0]
        for key, share in zip(spread, shares, strict=True):
            new[key] += round(rest * share)
        new[spread[-1]] = max(0, new[spread[-1]] + n_new - sum(new.values()))

        # Owner units per tier; a kind decided by a role only where the role has been held for a year.
        admin_units = [u for u in self.units if u.depth >= 1 and u.kind in (self.admin_level, self.company_level)]
        admin_weights = [3 if u.kind == self.admin_level else 1 for u in admin_units]
        local_weight = {self.admin_level: 1, self.activity_level: 3, self.unit_level: 1, self.company_level: 0.5}
        local_units = [u for u in self.units if u.depth >= 1]

        def owner_units(key):
            spec = kinds[key]
            if tier[key] in ("top", "group"):
                candidates, weights = [self.root], [1]
            elif tier[key] == "admin":
                candidates, weights = admin_units, admin_weights
            else:
                candidates = local_units
                weights = [local_weight.get(u.kind, 1) for u in local_units]
            role = spec.get("decided_by_role")
            if role:
                held = [self._long_held(covered_since(role, u)) for u in candidates]
                candidates = [u for u, ok in zip(candidates, held, strict=True) if ok]
                weights = [w for w, ok in zip(weights, held, strict=True) if ok]
            return candidates, weights

        def depth_of(key, seen=()):
            parents = [p for p in kinds[key].get("parent_kinds") or [] if p in kinds and p not in seen]
            return 1 + max(depth_of(p, (*seen, key)) for p in parents) if parents else 0

        parent_kinds = {p for spec in kinds.values() for p in spec.get("parent_kinds") or []}
        parents_at: dict[int, list] = {}

        def index_parent(doc):
            if doc.kind in parent_kinds and doc.status != Status.REPEALED:
                parents_at.setdefault(doc.unit_id, []).append(doc)

        for doc in existing:
            index_parent(doc)

        def parent_for(key, unit):
            allowed = set(kinds[key].get("parent_kinds") or [])
            for unit_id in chain(unit) if allowed else ():
                found = [d for d in parents_at.get(unit_id, ()) if d.kind in allowed]
                if found:
                    return rng.choice(found)
            return None

        statuses = {
            "top": ([Status.IN_FORCE], [1]),
            "group": ([Status.IN_FORCE, Status.UNDER_REVIEW, Status.DRAFT], [85, 10, 5]),
        }
        statuses["admin"] = statuses["local"] = (
            [Status.IN_FORCE, Status.UNDER_REVIEW, Status.DECIDED, Status.DRAFT, Status.CONSULTATION, Status.REPEALED],
            [78, 5, 1, 8, 2, 6],
        )
        routines = [r["key"] for r in profile.data.get("required_routines") or []]
        municipality = profile.municipality.get("name", "kommunen")

        # 1. The documents, kind by kind (parents before children).
        plans: list[dict] = []
        for key in sorted(tier, key=depth_of):
            if not new[key]:
                continue
            candidates, weights = owner_units(key)
            if not candidates:
                print(f"  (no unit where the decider of {key} holds the role: none made)")
                continue
            kind_name = kinds[key]["name"].get("sv") or key
            for unit in rng.choices(candidates, weights=weights, k=new[key]):
                status = rng.choices(*statuses[tier[key]])[0]
                subject, obj = rng.choice(DOCUMENT_SUBJECTS)
                if tier[key] == "top":
                    title = f"{kind_name} för {municipality}"
                elif tier[key] == "group" or (tier[key] == "local" and rng.random() < 0.3):
                    title = f"{kind_name} för {subject}"
                else:
                    title = f"{kind_name} för {subject} – {unit.name}"
                roll = rng.random()
                classified = tier[key] in ("admin", "local") and roll < 0.03
                public = tier[key] in ("top", "group") or roll > 0.85
                staff = self.people_by_unit.get(unit.pk) or []
                doc = Document(
                    group=group,
                    kind=key,
                    title=title[:300],
                    unit=unit,
                    owner=rng.choice(staff) if staff and rng.random() < 0.95 else None,
                    parent=parent_for(key, unit),
                    topics=rng.sample(routines, min(len(routines), rng.randint(1, 2))) if routines else [],
                    status=status,
                    classification="classified" if classified else "public" if public else "internal",
                    classification_ground=CLASSIFIED_GROUND if classified else "",
                )
                index_parent(doc)
                role = kinds[key].get("decided_by_role")
                plans.append(
                    {
                        "doc": doc,
                        "spec": kinds[key],
                        "tier": tier[key],
                        "subject": subject,
                        "object": obj,
                        "since": covered_since(role, unit) if role else None,
                    }
                )

        # 2. Versions per document: one each, the rest spread (drafts have few, guidelines more).
        n_versions = DocumentVersion.objects.filter(document__group=group).count()
        extra = max(0, self.scale.versions - n_versions - len(plans))
        weight = {Status.DRAFT: 0.25, Status.CONSULTATION: 0.25, Status.DECIDED: 0.8}
        picks = rng.choices(
            range(len(plans)),
            weights=[weight.get(p["doc"].status, 1.0) * (1.5 if p["tier"] == "group" else 1) for p in plans],
            k=extra,
        )
        counts = [1] * len(plans)
        for i in picks:
            counts[i] += 1

        # 3. The history of each document.
        with translation.override(settings.LANGUAGE_CODE):
            review_task_title = gettext("Review: %(title)s")
        notify_body = {
            key: Body.objects.filter(group=group, kind=spec["notify_body"]).first()
            for key, spec in kinds.items()
            if spec.get("notify_body")
        }
        abbreviations = {b.pk: body_abbreviation(b) for b in bodies}
        versions, decisions, reviews, duties, open_reviews = [], [], [], [], []

        def at(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))

        for plan, k in zip(plans, counts, strict=True):
            doc, spec = plan["doc"], plan["spec"]
            dated = self._document_dates(doc, spec, k, plan["since"], services)
            texts = self._document_texts(doc.title, plan["subject"], plan["object"], doc.unit.name, k)
            version_objs = [
                DocumentVersion(
                    document=doc,
                    number=n,
                    text=text,
                    note="Första versionen" if n == 1 else rng.choice(VERSION_NOTES),
                    created_at=at(created),
                )
                for n, (text, created) in enumerate(zip(texts, dated["created"], strict=True), 1)
            ]
            versions.extend(version_objs)
            record_number = ""
            for version, (date, in_force_from) in zip(version_objs, dated["decisions"], strict=False):
                if spec.get("decided_by_body"):
                    body, person_id = body_for(spec, doc.unit), None
                    number = f"{abbreviations[body.pk]} {date.year}/{rng.randint(1, 450)}"
                else:
                    body, person_id = None, holder(spec["decided_by_role"], doc.unit, date)
                    number = f"Dnr {date.year}/{rng.randint(100, 2999)}" if rng.random() < 0.3 else ""
                    if person_id is None:
                        raise RuntimeError(f"nobody holds {spec['decided_by_role']} over {doc.unit} on {date}")
                decision = Decision(
                    document=doc,
                    version=version,
                    body=body,
                    person_id=person_id,
                    date=date,
                    record_number=number,
                    in_force_from=in_force_from,
                    recorded_at=at(date),
                )
                decisions.append(decision)
                record_number = number or record_number
                target = notify_body.get(doc.kind)
                if target is not None:
                    delivered = date + days(rng.randint(7, 90))
                    done = delivered < today and rng.random() < 0.92
                    reference = f"{abbreviations[target.pk]} {delivered.year}/§{rng.randint(1, 250)}"
                    duties.append(
                        NotificationDuty(
                            document=doc,
                            decision=decision,
                            body=target,
                            created_at=at(date),
                            delivered_on=delivered if done else None,
                            reference=reference if done else "",
                        )
                    )
            doc.record_number = record_number
            doc.in_force_from = dated["decisions"][-1][1] if dated["decisions"] else None
            doc.next_review = dated["next_review"]
            doc.search_text = "\n".join(part for part in (doc.title, doc.record_number, texts[-1]) if part)
            for due, done_at, outcome in dated["reviews"]:
                review = Review(document=doc, due_date=due, done_at=done_at, outcome=outcome)
                if done_at is None:
                    review.notes = "Dokumentet revideras." if doc.status == Status.UNDER_REVIEW else ""
                    open_reviews.append(review)
                reviews.append(review)

        # 4. Written in batches: documents wave by wave (parents first), then the rest.
        for depth in sorted({depth_of(p["doc"].kind) for p in plans}):
            Document.objects.bulk_create(
                [p["doc"] for p in plans if depth_of(p["doc"].kind) == depth], batch_size=BATCH
            )
        DocumentVersion.objects.bulk_create(versions, batch_size=BATCH)
        Decision.objects.bulk_create(decisions, batch_size=BATCH)
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        NotificationDuty.objects.bulk_create(duties, batch_size=BATCH)
        review_type = ContentType.objects.get_for_model(Review)
        tasks = [
            Task(
                group_id=group.pk,
                owner_id=r.document.owner_id,
                title=(review_task_title % {"title": r.document.title})[:200],
                due_date=r.due_date,
                url=r.document.get_absolute_url(),
                subject_type=review_type,
                subject_id=str(r.pk),
            )
            for r in open_reviews
            if r.document.owner_id
        ]
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        return [p["doc"] for p in plans], versions, decisions, reviews, duties, tasks

    def _long_held(self, since) -> bool:
        """A unit where the deciding role has been held without a gap for at least a year."""
        return since is not None and (self.today - since).days >= 365

    def _document_dates(self, doc, spec, k: int, since, services) -> dict:
        """Dates of a document's life: its decisions (date, in force from) oldest first, the
        creation day of each version, its reviews (due, done or None, outcome) and next review."""
        from varna.core.dates import add_months
        from varna.documents.models import APPLYING, Review, Status

        rng, today = self.rng, self.today
        days = datetime.timedelta
        months = spec.get("review_months")
        status = doc.status
        if status in (Status.DRAFT, Status.CONSULTATION):
            decided = 0
        elif status == Status.IN_FORCE:
            decided = k - 1 if k > 1 and rng.random() < 0.1 else k  # a revision in the making
        elif status == Status.UNDER_REVIEW:
            decided = k - 1 if k > 1 and rng.random() < 0.6 else k
        else:
            decided = k
        dates: list[tuple[datetime.date, datetime.date]] = []
        reviewed = None  # the day of a review without change after the last decision
        next_review = None
        if decided:
            if status in APPLYING:
                # The next review aimed at: ~8 % overdue (under review: around now), the rest ahead.
                if status == Status.UNDER_REVIEW:
                    target = today + days(rng.randint(-300, 30))
                elif rng.random() < 0.08:
                    target = today - days(rng.randint(1, 365))
                else:
                    target = today + days(rng.randint(0, min(730, 30 * months if months else 730)))
                event = add_months(target, -months) if months else today - days(rng.randint(60, 1100))
                event = min(event, today)
                if months and rng.random() < 0.35:
                    reviewed = event
                    last_in_force = add_months(event, -months) + days(rng.randint(-30, 20))
                else:
                    last_in_force = event
                last_date = last_in_force - days(rng.randint(0, 45))
            elif status == Status.DECIDED:
                last_date, last_in_force = today - days(rng.randint(0, 40)), today + days(rng.randint(1, 60))
            else:  # repealed
                last_in_force = today - days(rng.randint(200, 2000))
                last_date = last_in_force - days(rng.randint(0, 45))
            if since is not None and last_date < since:
                last_date = min(today, since + days(rng.randint(0, 30)))
                last_in_force = max(last_in_force, last_date)
                if reviewed is not None and reviewed <= last_in_force:
                    reviewed = None
            dates = [(last_date, last_in_force)]
            interval = 30 * (months or 48)
            for _ in range(decided - 1):
                in_force = dates[-1][0] - days(int(interval * rng.uniform(0.6, 1.3)))
                dates.append((in_force - days(rng.randint(0, 30)), in_force))
            dates.reverse()
            if since is not None and dates[0][0] < since:
                # The role was not held before `since`: the older decisions fall after it.
                first_ok = next(i for i, (day, _) in enumerate(dates) if day >= since)
                span = max(0, (dates[first_ok][0] - since).days - 1)
                squeezed = sorted(since + days(rng.randint(0, span)) for _ in range(first_ok))
                dates[:first_ok] = [(day, day) for day in squeezed]
            if status in APPLYING or status == Status.DECIDED:
                next_review = services.next_review_date(doc, reviewed or dates[-1][1])
        # Versions are written before their decision; a newer undecided one after the last.
        created = [day - days(rng.randint(3, 60)) for day, _ in dates]
        after = dates[-1][0] if dates else today - days(400)
        created += sorted(after + days(rng.randint(0, max(0, (today - after).days))) for _ in range(k - decided))
        reviews = []
        for previous, (day, _) in itertools.pairwise(dates):
            if months and rng.random() < 0.5:
                # The review that led to the revision, closed by its decision (services.record_decision).
                reviews.append((services.next_review_date(doc, previous[1]), day, Review.Outcome.REVISED))
        if reviewed is not None:
            reviews.append((services.next_review_date(doc, dates[-1][1]), reviewed, Review.Outcome.NO_CHANGE))
        if status == Status.UNDER_REVIEW or (
            status == Status.IN_FORCE and next_review is not None and next_review <= today + days(30)
        ):
            reviews.append((next_review or today, None, ""))
        return {"decisions": dates, "created": created, "reviews": reviews, "next_review": next_review}

    def _document_texts(self, title: str, subject: str, obj: str, unit_name: str, k: int) -> list[str]:
        """The Markdown texts of k versions: a few sections of sentences from the vocabulary, each
        version changing a sentence or adding one."""
        rng = self.rng

        def fill(template: str) -> str:
            return template.format(
                subject=subject,
                object=obj,
                unit=unit_name,
                role=rng.choice(DOCUMENT_ROLES),
                role_lower=rng.choice(DOCUMENT_ROLES[:5]).lower(),
                often=rng.choice(DOCUMENT_OFTEN),
                check=rng.choice(DOCUMENT_CHECKS),
                days=rng.choice([7, 14, 30, 60, 90]),
            )

        def step(template: str) -> str:
            text = fill(template)
            return f"- {text[0].upper()}{text[1:]}."

        names = sorted(rng.sample(DOCUMENT_SECTIONS, rng.randint(3, 5)), key=DOCUMENT_SECTIONS.index)
        sections = [
            (name, [step(s) for s in rng.sample(DOCUMENT_STEPS, rng.randint(3, 5))])
            if name == "Rutin"
            else (name, [fill(s) for s in rng.sample(DOCUMENT_SENTENCES, rng.randint(2, 4))])
            for name in names
        ]
        texts = []
        for n in range(k):
            if n:
                name, lines = sections[rng.randrange(len(sections))]
                line = step(rng.choice(DOCUMENT_STEPS)) if name == "Rutin" else fill(rng.choice(DOCUMENT_SENTENCES))
                if rng.random() < 0.4:
                    lines[rng.randrange(len(lines))] = line
                else:
                    lines.append(line)
            parts = [f"# {title}"]
            for name, lines in sections:
                parts.append(f"## {name}\n" + ("\n".join(lines) if name == "Rutin" else " ".join(lines)))
            texts.append("\n\n".join(parts) + "\n")
        return texts

    # --- risks and measures ---------------------------------------------------------------

    def create_risks(self):
        """Risk analyses, risks with their dated assessments and acceptances, and the measures
        that treat them, as varna.risks.services leaves them:

        - the current mandate period's RSA (the demo's, else a new one at the root) holds about a
          third of the risks; unit analyses, one per administration and the rest in activities,
          hold the others (a risk joins an analysis of its unit or the nearest unit above it);
        - every assessed risk has one to four current assessments over the last three years and
          sometimes a residual one; its columns (assessed_on, likelihood, ..., next_review,
          residual_*) are the newest ones', computed as services.assess does, with the profile's
          matrix, before the risk is written;
        - an accepted risk has a current acceptance by a holder of the acceptance role on its
          unit or above (services.accept);
        - measures treat one or two risks (the red ones more often), in the first risk's unit.
        """
        from varna.organisation import mandate
        from varna.organisation.models import RoleAssignment
        from varna.risks.models import Analysis, Risk, matrix_for
        from varna.risks.services import acceptance_role

        rng, today, group = self.rng, self.today, self.group
        days = datetime.timedelta
        n_new = max(0, self.scale.risks - Risk.objects.filter(group=group).count())
        if not n_new:
            return [], [], [], [], [], []
        matrix = matrix_for(group)
        period = mandate.current(today)

        # 1. The analyses.
        rva = (
            Analysis.objects.filter(group=group, kind=Analysis.Kind.RVA, election_year=period.election_year)
            .order_by("-started_on", "pk")
            .first()
        )
        analyses = []
        if rva is None:
            rva = Analysis(
                group=group,
                kind=Analysis.Kind.RVA,
                title=f"Risk- och sårbarhetsanalys {period.label}",
                unit=self.root,
                election_year=period.election_year,
                started_on=max(period.start, today - days(rng.randint(20, 200))),
                scope="Hela kommunkoncernen och kommunens geografiska område.",
                method=ANALYSIS_METHOD,
                classification="internal",
            )
            analyses.append(rva)
        admins = [u for u in self.units if u.kind == self.admin_level]
        activities = [u for u in self.units if u.kind == self.activity_level]
        n_unit = max(0, self.scale.analyses - Analysis.objects.filter(group=group, kind=Analysis.Kind.UNIT).count())
        owners = admins[:n_unit]
        if activities:
            weights = [3 if self.theme.get(u.pk) in ("care", "school") else 1 for u in activities]
            owners += rng.choices(activities, weights=weights, k=max(0, n_unit - len(owners)))
        for unit in owners:
            started = today - days(rng.randint(0, 3 * 365))
            done = (today - started).days > 60 and rng.random() < 0.7
            roll = rng.random()
            classified = roll < 0.02
            staff = self.people_by_unit.get(unit.pk) or []
            analyses.append(
                Analysis(
                    group=group,
                    kind=Analysis.Kind.UNIT,
                    title=f"Riskanalys {unit.name} {started.year}"[:300],
                    unit=unit,
                    status=Analysis.State.COMPLETED if done else Analysis.State.ONGOING,
                    started_on=started,
                    completed_on=started + days(rng.randint(30, min(240, (today - started).days))) if done else None,
                    scope=f"Verksamheten inom {unit.name}.",
                    method=ANALYSIS_METHOD,
                    participants="\n".join(
                        f"{p.first_name} {p.last_name}" for p in rng.sample(staff, min(3, len(staff)))
                    ),
                    classification="classified" if classified else "public" if roll > 0.8 else "internal",
                    classification_ground=CLASSIFIED_GROUND if classified else "",
                )
            )
        Analysis.objects.bulk_create(analyses, batch_size=BATCH)
        by_unit: dict[int, list] = {}
        for analysis in analyses:
            if analysis.kind == Analysis.Kind.UNIT:
                by_unit.setdefault(analysis.unit_id, []).append(analysis)

        def analysis_for(unit):
            """The RSA for a third; otherwise an analysis of the unit or the nearest unit above it."""
            if rng.random() < 1 / 3:
                return rva
            for unit_id in reversed(unit.path.strip(".").split(".")):
                found = by_unit.get(int(unit_id))
                if found:
                    return rng.choice(found)
            return rva

        # 2. The risks, their assessments and acceptances.
        candidates = [u for u in self.units if u.depth >= 1]
        weight = {self.admin_level: 8, self.activity_level: 4, self.unit_level: 1, self.company_level: 3}
        role = acceptance_role(group)
        acceptors: dict[int, int] = {}
        for unit_id, person_id in (
            RoleAssignment.objects.current(today)
            .filter(unit__group=group, role=role)
            .order_by("pk")
            .values_list("unit_id", "person_id")
        ):
            acceptors.setdefault(unit_id, person_id)
        made = self._risks(
            n_new,
            candidates,
            [weight.get(u.kind, 1) for u in candidates],
            analysis_for,
            self.people_by_unit,
            (role, acceptors),
            matrix,
        )
        risks = made["risks"]

        # 3. The measures.
        measures, links = self._measures(risks, matrix)
        return analyses, risks, made["assessments"], made["acceptances"], measures, links

    def create_big_analysis(self, unit, n: int):
        """One more analysis ("Bench: en stor analys") with n risks, owned by `unit` (the scoped
        head's administration, so that both bench users see it) and spread over its subtree.
        The risks are assessed like the others; no measures treat them."""
        from varna.organisation.models import OrgUnit, Person, RoleAssignment
        from varna.risks.models import Analysis, matrix_for
        from varna.risks.services import acceptance_role

        rng, today, group = self.rng, self.today, self.group
        units = list(OrgUnit.objects.filter(group=group, path__startswith=unit.path).order_by("path"))
        staff: dict[int, list] = {}
        for person in Person.objects.filter(unit__in=units, employment_end__isnull=True).order_by("pk"):
            staff.setdefault(person.unit_id, []).append(person)
        role = acceptance_role(group)
        acceptors: dict[int, int] = {}
        for unit_id, person_id in (
            RoleAssignment.objects.current(today)
            .filter(unit__group=group, role=role)
            .order_by("pk")
            .values_list("unit_id", "person_id")
        ):
            acceptors.setdefault(unit_id, person_id)
        analysis = Analysis.objects.create(
            group=group,
            kind=Analysis.Kind.UNIT,
            title="Bench: en stor analys",
            unit=unit,
            started_on=today - datetime.timedelta(days=rng.randint(30, 300)),
            scope=f"Alla verksamheter inom {unit.name}.",
            method=ANALYSIS_METHOD,
            classification="internal",
        )
        weight = {self.admin_level: 8, self.activity_level: 4, self.unit_level: 1, self.company_level: 3}
        made = self._risks(
            n,
            units,
            [weight.get(u.kind, 1) for u in units],
            lambda _unit: analysis,
            staff,
            (role, acceptors),
            matrix_for(group),
        )
        return analysis, made["risks"], made["assessments"]

    def _risks(self, n: int, units, weights, analysis_for, staff, acceptance, matrix) -> dict:
        """Make and write n risks in the given units (by weight), with their assessments,
        acceptances and affected units."""
        from django.utils import timezone

        from varna.core.dates import add_months
        from varna.risks.models import Assessment, Risk, RiskAcceptance

        rng, today, group = self.rng, self.today, self.group
        days = datetime.timedelta
        role, acceptors = acceptance
        n_like, n_cons = matrix.size
        like_weights, cons_weights = skewed(n_like), skewed(n_cons)
        keys = matrix.dimension_keys()
        life, others = keys[0], keys[1:]
        earliest = today - days(3 * 365)

        def at(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))

        def consequences() -> dict[str, int]:
            values = {}
            if rng.random() < 0.7 or not others:
                values[life] = rng.choices(range(1, n_cons + 1), weights=cons_weights)[0]
            k = rng.choices([1, 2, 3], weights=[50, 35, 15] if values else [40, 40, 20])[0]
            for key in rng.sample(others, min(k, len(others))):
                values[key] = rng.choices(range(1, n_cons + 1), weights=cons_weights)[0]
            return values

        def nudge(value: int, top: int) -> int:
            return min(top, max(1, value + rng.choice([-1, 0, 0, 1])))

        def assessment(risk, kind, day, likelihood, values):
            score = matrix.score(likelihood, values)
            return score, Assessment(
                risk=risk,
                kind=kind,
                assessed_on=day,
                likelihood=score.likelihood,
                consequences=values,
                consequence=score.consequence,
                level=score.level,
                zone=score.zone.key,
                reasoning=rng.choice(["", "", "Bedömd i workshop med verksamheten.", "Oförändrad sedan förra året."]),
                created_at=at(day),
            )

        def chain(unit) -> list[int]:
            return [int(part) for part in reversed(unit.path.strip(".").split("."))]

        risks, assessments, acceptances, affected = [], [], [], []
        weights_sum = list(itertools.accumulate(weights))
        by_top: dict[str, list] = {}
        for unit in units:
            by_top.setdefault(unit.path[:14], []).append(unit)
        for unit in rng.choices(units, cum_weights=weights_sum, k=n):
            title, kind, category, descriptions = rng.choices(RISK_TEMPLATES, weights=RISK_TEMPLATE_WEIGHTS)[0]
            title = self._fill(title, unit)
            description = rng.choice(descriptions).format(activity=unit.name)
            if rng.random() < 0.5:
                description += " " + rng.choices(RISK_SENTENCES, weights=RISK_SENTENCE_WEIGHTS)[0]
            roll = rng.random()
            classified = roll < 0.02
            people = staff.get(unit.pk) or []
            risk = Risk(
                group=group,
                analysis=analysis_for(unit),
                unit=unit,
                owner=rng.choice(people) if people and rng.random() < 0.6 else None,
                title=title[:300],
                description=description,
                kind=kind,
                category=category,
                cause=rng.choice(RISK_CAUSES),
                classification="classified" if classified else "public" if roll > 0.75 else "internal",
                classification_ground=CLASSIFIED_GROUND if classified else "",
            )
            risks.append(risk)
            if rng.random() < 0.15:
                pool = by_top.get(unit.path[:14], [unit])
                affected.extend((risk, u) for u in rng.sample(pool, min(len(pool), rng.randint(1, 3))) if u != unit)
            if rng.random() < 0.03:
                continue  # not assessed yet: active, no columns
            risk.status = rng.choices(list(Risk.State), weights=[82, 8, 7])[0]
            # The newest current assessment: a date within the zone's review interval for most,
            # about one in nine past it (overdue for review).
            likelihood, values = rng.choices(range(1, n_like + 1), weights=like_weights)[0], consequences()
            zone = matrix.score(likelihood, values).zone
            span = min(int(zone.review_months * 30.44 * 1.13), (today - earliest).days)
            newest = today - days(rng.randint(0, span))
            k = rng.choices([1, 2, 3, 4], weights=[40, 30, 20, 10])[0]
            room = (newest - earliest).days - 30
            older = sorted(earliest + days(rng.randint(0, room)) for _ in range(k - 1)) if room > 0 else []
            for day in older:
                old_values = {key: nudge(v, n_cons) for key, v in values.items()}
                assessments.append(
                    assessment(risk, Assessment.Kind.CURRENT, day, nudge(likelihood, n_like), old_values)[1]
                )
            score, current = assessment(risk, Assessment.Kind.CURRENT, newest, likelihood, values)
            assessments.append(current)
            risk.assessed_on = newest
            risk.likelihood, risk.consequence, risk.level = score.likelihood, score.consequence, score.level
            risk.consequences = values
            risk.zone, risk.zone_rank = score.zone.key, score.zone.rank
            risk.life_health, risk.flagged = score.life_health, score.flagged
            risk.next_review = add_months(newest, score.zone.review_months)
            if rng.random() < 0.3:
                # The residual risk once the planned measures are in place: lower.
                day = min(today, newest + days(rng.randint(0, 60)))
                lower = {key: max(1, v - rng.randint(0, 1)) for key, v in values.items()}
                residual_score, residual = assessment(
                    risk, Assessment.Kind.RESIDUAL, day, max(1, likelihood - rng.randint(0, 2)), lower
                )
                assessments.append(residual)
                risk.residual_likelihood = residual_score.likelihood
                risk.residual_consequence = residual_score.consequence
                risk.residual_zone = residual_score.zone.key
            if risk.status == Risk.State.ACCEPTED:
                person_id = next((acceptors[u] for u in chain(unit) if u in acceptors), None)
                if person_id is None:
                    risk.status = Risk.State.ACTIVE  # nobody could accept it
                    continue
                acceptances.append(
                    RiskAcceptance(
                        risk=risk,
                        accepted_by_id=person_id,
                        role=role,
                        accepted_on=newest + days(rng.randint(0, (today - newest).days)),
                        expires_on=today + days(rng.randint(30, 900)),
                        reason=rng.choice(ACCEPTANCE_REASONS),
                        level=risk.level,
                        zone=risk.zone,
                    )
                )
        Risk.objects.bulk_create(risks, batch_size=BATCH)
        Assessment.objects.bulk_create(assessments, batch_size=BATCH)
        RiskAcceptance.objects.bulk_create(acceptances, batch_size=BATCH)
        Through = Risk.affected_units.through
        Through.objects.bulk_create(
            [Through(risk_id=risk.pk, orgunit_id=u.pk) for risk, u in affected], batch_size=BATCH
        )
        return {"risks": risks, "assessments": assessments, "acceptances": acceptances}

    def _fill(self, template: str, unit) -> str:
        rng = self.rng
        place = rng.choice(PLACES)
        return template.format(
            object=rng.choice(RISK_OBJECTS).format(place=place),
            area=rng.choice(RISK_AREAS).format(place=place),
            place=place,
            activity=unit.name,
            system=rng.choice(RISK_SYSTEMS),
            service=rng.choice(RISK_SERVICES),
        )

    def _measures(self, risks, matrix):
        """The measures of the security programme, each treating one or two of the risks."""
        from varna.documents.models import APPLYING, Document
        from varna.risks.models import Measure, Risk

        rng, today, group = self.rng, self.today, self.group
        days = datetime.timedelta
        n_new = max(0, self.scale.measures - Measure.objects.filter(group=group).count())
        if not n_new or not risks:
            return [], []
        documents = list(
            Document.objects.filter(group=group, status__in=APPLYING).order_by("pk").values_list("pk", flat=True)
        )
        by_unit: dict[int, list] = {}
        for risk in risks:
            by_unit.setdefault(risk.unit_id, []).append(risk)
        # The more severe the zone, the more often a risk is treated; closed and unassessed less.
        weights = [
            0.5 if risk.zone_rank < 0 or risk.status == Risk.State.CLOSED else 0.6 * 2.2**risk.zone_rank
            for risk in risks
        ]
        generic = [t for templates in MEASURE_TEMPLATES.values() for t in templates]
        states = list(Measure.State)
        measures, treated = [], []
        for first in rng.choices(risks, weights=weights, k=n_new):
            linked = [first]
            if rng.random() < 0.3:
                same = by_unit[first.unit_id]
                other = rng.choice(same) if len(same) > 1 else rng.choice(risks)
                if other is not first:
                    linked.append(other)
            unit = first.unit
            status = rng.choices(states, weights=[35, 25, 35, 5])[0]
            open_ = status in (Measure.State.PLANNED, Measure.State.IN_PROGRESS)
            due = today + days(rng.randint(-400, 730) if open_ else rng.randint(-730, 180))
            if open_ and rng.random() < 0.03:
                due = None
            completed = None
            if status == Measure.State.DONE:
                completed = min(today, due + days(rng.randint(-90, 30)))
            openness = rng.choices(list(Measure.Openness), weights=[30, 15, 45, 10])[0]
            roll = rng.random()
            classified = roll < 0.02
            people = self.people_by_unit.get(unit.pk) or []
            template = rng.choice(MEASURE_TEMPLATES.get(first.category) or generic)
            measures.append(
                Measure(
                    group=group,
                    title=self._fill(template, unit)[:300],
                    description=rng.choice(MEASURE_DESCRIPTIONS),
                    unit=unit,
                    owner=rng.choice(people) if people and rng.random() < 0.7 else None,
                    due_date=due,
                    cost_estimate=rng.choice([5, 10, 20, 50, 100, 250, 500, 1000, 2000]) * 1000
                    if rng.random() < 0.5
                    else None,
                    status=status,
                    completed_on=completed,
                    source=Measure.Source.RISK,
                    document_id=rng.choice(documents) if documents and rng.random() < 0.6 else None,
                    openness=openness,
                    openness_note=rng.choice(OPENNESS_NOTES) if openness == Measure.Openness.RESTRICTS else "",
                    classification="classified" if classified else "public" if roll > 0.75 else "internal",
                    classification_ground=CLASSIFIED_GROUND if classified else "",
                )
            )
            treated.append(linked)
        Measure.objects.bulk_create(measures, batch_size=BATCH)
        Through = Measure.risks.through
        links = [
            Through(measure_id=measure.pk, risk_id=risk.pk)
            for measure, linked in zip(measures, treated, strict=True)
            for risk in linked
        ]
        Through.objects.bulk_create(links, batch_size=BATCH)
        return measures, links


def bench_users(group, profile):
    """The group security coordinator and the head of the largest administration, as users."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from varna.organisation.models import OrgUnit, Person, RoleAssignment

    User = get_user_model()
    group_coord, head_role, _unit_coord = role_keys(profile)
    _root_level, admin_level, *_ = levels(profile)
    root = OrgUnit.objects.get(group=group, parent__isnull=True)
    admins = list(OrgUnit.objects.filter(group=group, kind=admin_level))
    sizes = dict(
        Person.objects.filter(group=group, unit__depth__gte=1)
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .values_list("unit__path", "n")
    )
    size_of = {a.pk: sum(n for path, n in sizes.items() if path.startswith(a.path)) for a in admins}
    largest = max(admins, key=lambda a: (size_of[a.pk], -a.pk))

    def make_user(username: str, first: str, last: str):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(BENCH_PASSWORD)
        user.save()
        return user

    # The group coordinator: a new person in the first administration with the group-wide role.
    coordinator = User.objects.filter(username=COORDINATOR_USERNAME).first()
    if coordinator is None:
        coordinator = make_user(COORDINATOR_USERNAME, "Siv", "Bänkström")
        first_admin = min(admins, key=lambda a: a.pk)
        person = Person.objects.create(
            group=group,
            first_name="Siv",
            last_name="Bänkström",
            title="Säkerhetssamordnare",
            email="siv.bankstrom@kommun.example.se",
            unit=first_admin,
            user=coordinator,
        )
        RoleAssignment.objects.create(person=person, role=group_coord, unit=root)

    # The scoped head: the current head of the largest administration, given a bench login.
    head_user = User.objects.filter(username=HEAD_USERNAME).first()
    if head_user is None:
        head_assignment = (
            RoleAssignment.objects.current().filter(unit=largest, role=head_role).select_related("person").first()
        )
        if head_assignment is not None and head_assignment.person.user_id is None:
            person = head_assignment.person
            head_user = make_user(HEAD_USERNAME, person.first_name, person.last_name)
            person.user = head_user
            person.save(update_fields=["user"])
        elif head_assignment is not None:
            head_user = head_assignment.person.user
            head_user.set_password(BENCH_PASSWORD)
            head_user.save()
        else:
            head_user = make_user(HEAD_USERNAME, "Bo", "Bänkström")
            person = Person.objects.create(
                group=group,
                first_name="Bo",
                last_name="Bänkström",
                title="Förvaltningschef",
                unit=largest,
                user=head_user,
            )
            RoleAssignment.objects.create(person=person, role=head_role, unit=largest)
    return coordinator, head_user, largest, size_of[largest.pk]


def document_check(group, seed: int, sample: int = 400) -> None:
    """Print how the documents came out, and check a sample of decisions against the profile's
    rule (services.DecisionRules: the body or the role holder that may decide on that day)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from varna.documents.models import APPLYING, Decision, Document, DocumentVersion, Review
    from varna.documents.services import DecisionRules, decider_for

    today = timezone.localdate()
    documents = Document.objects.filter(group=group)
    total = documents.count()
    if not total:
        return
    by_status = dict(documents.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_kind = dict(documents.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    overdue = documents.filter(status__in=APPLYING, next_review__lt=today).count()
    month = today + datetime.timedelta(days=30)
    soon = documents.filter(status__in=APPLYING, next_review__gte=today, next_review__lte=month)
    versions = DocumentVersion.objects.filter(document__group=group).count()
    reviews = Review.objects.filter(document__group=group).aggregate(
        open=Count("id", filter=Q(done_at__isnull=True)), done=Count("id", filter=Q(done_at__isnull=False))
    )
    print(
        f"  documents: {total} ({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))}); "
        f"{versions} versions; status {', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}; "
        f"review overdue {overdue} ({100 * overdue / total:.1f} %), due within 30 days {soon.count()}; "
        f"reviews open {reviews['open']}, done {reviews['done']}"
    )
    ids = list(Decision.objects.filter(document__group=group).order_by("pk").values_list("pk", flat=True))
    picked = random.Random(seed).sample(ids, min(sample, len(ids)))
    decisions = list(Decision.objects.filter(pk__in=picked).select_related("document__group", "document__unit"))
    roles = {decider_for(d.document).role for d in decisions} - {None}
    rules = DecisionRules(group, roles)
    wrong = [d for d in decisions if not rules.allowed(d.document, d.body_id, d.person_id, d.date)]
    print(f"  decision rule check: {len(decisions) - len(wrong)} of {len(decisions)} sampled decisions allowed")
    for d in wrong[:5]:
        print(f"    not allowed: decision {d.pk} on {d.document} ({d.document.kind}) {d.date}", file=sys.stderr)


def risk_check(group) -> None:
    """Print how the risks and measures came out."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from varna.risks.models import Analysis, Assessment, Measure, Risk, RiskAcceptance

    today = timezone.localdate()
    risks = Risk.objects.filter(group=group)
    total = risks.count()
    if not total:
        return

    def share(n: int, of: int = total) -> str:
        return f"{n} ({100 * n / of:.1f} %)"

    by_status = dict(risks.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_zone = dict(risks.values_list("zone").annotate(n=Count("id")).values_list("zone", "n"))
    c = risks.aggregate(
        classified=Count("id", filter=Q(classification="classified")),
        flagged=Count("id", filter=Q(flagged=True)),
        overdue=Count("id", filter=Q(next_review__lt=today) & ~Q(status=Risk.State.CLOSED)),
        brand=Count("id", filter=Q(title__icontains="brand") | Q(description__icontains="brand")),
        unowned=Count("id", filter=Q(owner__isnull=True)),
    )
    analyses = dict(
        Analysis.objects.filter(group=group).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    biggest = Analysis.objects.filter(group=group).annotate(n=Count("risks")).order_by("-n").values("title", "n")[:2]
    assessments = dict(
        Assessment.objects.filter(risk__group=group)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    print(
        f"  risks: {total}; status {', '.join(f'{k} {share(v)}' for k, v in sorted(by_status.items()))}; "
        f"zone {', '.join(f'{k or "unassessed"} {share(v)}' for k, v in sorted(by_zone.items()))}; "
        f"life and health flagged {share(c['flagged'])}; classified {share(c['classified'])}; "
        f"review overdue {share(c['overdue'])}; without owner {share(c['unowned'])}; "
        f"'brand' in title or description {share(c['brand'])}"
    )
    print(
        f"  analyses: {', '.join(f'{k} {v}' for k, v in sorted(analyses.items()))}; largest: "
        f"{'; '.join(f'{a["title"]} ({a["n"]} risks)' for a in biggest)}; "
        f"assessments {', '.join(f'{k} {v}' for k, v in sorted(assessments.items()))}; "
        f"acceptances {RiskAcceptance.objects.filter(risk__group=group).count()}"
    )
    measures = Measure.objects.filter(group=group)
    n = measures.count()
    if not n:
        return
    by_status = dict(measures.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_openness = dict(measures.values_list("openness").annotate(n=Count("id")).values_list("openness", "n"))
    m = measures.aggregate(
        overdue=Count("id", filter=Q(status__in=("planned", "in_progress"), due_date__lt=today)),
        document=Count("id", filter=Q(document__isnull=False)),
    )
    links = Measure.risks.through.objects.filter(measure__group=group).count()
    untreated_red = (
        risks.filter(zone="red").exclude(status__in=("closed", "accepted")).filter(measures__isnull=True).count()
    )
    print(
        f"  measures: {n} ({links} risk links); "
        f"status {', '.join(f'{k} {share(v, n)}' for k, v in sorted(by_status.items()))}; "
        f"overdue {share(m['overdue'], n)}; with a document {share(m['document'], n)}; openness "
        f"{', '.join(f'{k or "not assessed"} {share(v, n)}' for k, v in sorted(by_openness.items()))}; "
        f"active red risks without a measure {untreated_red}"
    )


def create_incidents(group, profile, total: int, seed: int) -> dict:
    """Incidents up to `total` in the group (the demo's count), with their costs and a handful of
    insurance policies (bench/incident_data.py). The units, their themes and the staff are read
    from the database, so that the rows are the same whether they are made with the rest of the
    data set or added to it later."""
    from django.utils import timezone
    from incident_data import IncidentGenerator

    from varna.incidents.models import Incident
    from varna.organisation.models import OrgUnit

    _root, admin_level, activity_level, _unit, company_level = levels(profile)
    units = list(OrgUnit.objects.filter(group=group).order_by("pk"))
    names = {u.pk: u.name for u in units}
    theme = {}
    for u in units:
        top = names[int(u.path.strip(".").split(".")[1])] if u.depth >= 1 else u.name
        theme[u.pk] = "company" if u.kind == company_level else theme_of(top)
    generator = IncidentGenerator(
        group, profile, seed, units, theme, {admin_level: 2.0, activity_level: 3.0, company_level: 1.5}, timezone.now()
    )
    return generator.create(total - Incident.objects.filter(group=group).count())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(SCALES), default="storkommun")
    parser.add_argument("--profile", default=None, help="policy profile key (default: VARNA_PROFILE or harjedalen)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--risks-in-one-analysis",
        type=int,
        default=0,
        metavar="N",
        help='also put N risks into one extra analysis ("Bench: en stor analys") of the scoped head\'s administration',
    )
    parser.add_argument(
        "--incidents",
        type=int,
        default=None,
        metavar="N",
        help="incidents in all (default: the scale's, 1,000,000 for storkommun); on a database that already "
        "holds generated data but no generated incidents, add them",
    )
    parser.add_argument(
        "--reset", action="store_true", help="empty the database first (flush): everything in it is deleted"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from varna.organisation.demo import load_demo
    from varna.organisation.models import MunicipalGroup
    from varna.organisation.profiles import load_profile

    db = settings.DATABASES["default"]
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
        print("Emptied the database (--reset).")
    profile_key = args.profile or settings.VARNA_PROFILE
    profile = load_profile(profile_key)

    def step(label: str, since: float) -> float:
        now = time.perf_counter()
        print(f"  {label:<44} {now - since:6.1f} s")
        return now

    t = time.perf_counter()
    group = MunicipalGroup.objects.order_by("pk").first()
    if group is None:
        group, _logins = load_demo(profile)
        t = step(f"demo of profile {profile_key}", t)
    else:
        profile = group.profile
        print(f"Using the existing group {group} (profile {profile.key}).")

    scale = SCALES[args.scale]
    n_incidents = args.incidents if args.incidents is not None else (scale.incidents if scale else 0)
    if get_user_model().objects.filter(username=COORDINATOR_USERNAME).exists() and args.incidents:
        return add_incidents(group, profile, n_incidents, args.seed, started)
    if get_user_model().objects.filter(username=COORDINATOR_USERNAME).exists():
        print(
            "This database already holds generated data (the bench users exist). "
            "Run with --reset to start again from an empty database.",
            file=sys.stderr,
        )
        return 1
    generator = None
    if scale is not None:
        generator = Generator(group, profile, scale, args.seed)
        with transaction.atomic():
            created, bodies = generator.create_units()
            t = step(f"{len(created)} org units, {len(bodies)} bodies", t)
            people = generator.create_people()
            t = step(f"{len(people)} people", t)
            roles = generator.create_roles()
            t = step(f"{len(roles)} role assignments", t)
            parties, contracts, links = generator.create_parties()
            t = step(f"{len(parties)} external parties, {len(contracts)} contracts ({len(links)} unit links)", t)
            documents, versions, decisions, reviews, duties, tasks = generator.create_documents()
            t = step(
                f"{len(documents)} documents, {len(versions)} versions, {len(decisions)} decisions, "
                f"{len(reviews)} reviews, {len(duties)} notification duties, {len(tasks)} review tasks",
                t,
            )
            analyses, risks, assessments, acceptances, measures, links = generator.create_risks()
            t = step(
                f"{len(analyses)} analyses, {len(risks)} risks, {len(assessments)} assessments, "
                f"{len(acceptances)} acceptances, {len(measures)} measures ({len(links)} risk links)",
                t,
            )
    with transaction.atomic():
        coordinator, head, admin, admin_people = bench_users(group, profile)
    t = step("bench users", t)
    if args.risks_in_one_analysis:
        with transaction.atomic():
            big = generator or Generator(group, profile, scale, args.seed)
            analysis, risks, assessments = big.create_big_analysis(admin, args.risks_in_one_analysis)
        t = step(f"one analysis ({analysis.pk}): {len(risks)} risks, {len(assessments)} assessments", t)
    if n_incidents:
        with transaction.atomic():
            made = create_incidents(group, profile, n_incidents, args.seed)
        t = step(", ".join(f"{v} {k}" for k, v in made.items()) or "incidents: none to add", t)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        t = step("VACUUM ANALYZE", t)

    from django.utils import timezone

    from varna.documents.models import Decision, Document, DocumentVersion
    from varna.incidents.models import Incident
    from varna.organisation.models import Contract, ExternalParty, OrgUnit, Person, RoleAssignment
    from varna.risks.models import Analysis, Assessment, Measure, Risk

    if scale is not None:
        document_check(group, args.seed)
        t = step("documents checked", t)
    if scale is not None or args.risks_in_one_analysis:
        risk_check(group)
        t = step("risks checked", t)
    if n_incidents:
        from incident_data import incident_check

        incident_check(group)
        t = step("incidents checked", t)
    ended = RoleAssignment.objects.filter(valid_to__lt=timezone.localdate()).count()
    print(
        f"\nScale {args.scale}: {OrgUnit.objects.count()} org units, {Person.objects.count()} people, "
        f"{RoleAssignment.objects.count()} role assignments ({ended} ended), "
        f"{ExternalParty.objects.count()} external parties, {Contract.objects.count()} contracts, "
        f"{Document.objects.count()} documents, {DocumentVersion.objects.count()} versions, "
        f"{Decision.objects.count()} decisions, {Analysis.objects.count()} risk analyses, "
        f"{Risk.objects.count()} risks, {Assessment.objects.count()} assessments, "
        f"{Measure.objects.count()} measures, {Incident.objects.count()} incidents."
    )
    print(f"Bench users (password {BENCH_PASSWORD!r}):")
    print(f"  {coordinator.username:<20} group security coordinator, sees all")
    print(f"  {head.username:<20} head of {admin.name} (unit {admin.pk}, {admin_people} people in its subtree)")
    print(f"Generated in {time.perf_counter() - started:.1f} s (budget 600 s).")
    return 0


def add_incidents(group, profile, total: int, seed: int, started: float) -> int:
    """--incidents N on a database that already holds generated data: add the incidents only."""
    from django.db import connection, transaction
    from incident_data import incident_check

    from varna.incidents.models import Incident

    if Incident.objects.filter(group=group).count() > 1000:
        print(
            "This database already holds generated incidents. Run with --reset to start again from an empty database.",
            file=sys.stderr,
        )
        return 1
    t = time.perf_counter()
    with transaction.atomic():
        made = create_incidents(group, profile, total, seed)
    print(f"  {', '.join(f'{v} {k}' for k, v in made.items()):<44} {time.perf_counter() - t:6.1f} s")
    if connection.vendor == "postgresql":
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  {'VACUUM ANALYZE':<44} {time.perf_counter() - t:6.1f} s")
    incident_check(group)
    print(f"Added in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Historical incidents from Excel or CSV, as Swedish offices export them.

The same three steps as the other register imports (risks/register_io.py), with the file read by
core/tabular.py under this import's own limits: ten years of a large municipality's incidents
(MAX_ROWS, MAX_BYTES) instead of the shared defaults; the rows are checked into a plan and
written all or nothing as core/import_plan.py has every import do.

``parse_file(data, filename, group) -> Table``
    Bytes into header and rows; never raises (what is wrong with the file is in ``errors``).
    CSV separated by semicolons, commas or tabs in UTF-8 (with or without BOM), UTF-16 or
    Windows-1252; or an XLSX workbook.
``build_plan(table, group, user) -> Plan``
    Every row cleaned and checked: when it happened (ISO dates with or without a time, day-first
    dates with slashes or dots as Swedish offices write them, YYYYMMDD, Swedish month names,
    Excel date and date-time cells; not in the future), category (key, Swedish or English label
    or a common word: "anlagd brand" is a fire deliberately set), responsible unit (by code, or
    a name only one unit has; the user must be allowed to *change* incidents there), place,
    description (required), immediate actions, status (closed by default: these are history),
    police report and claim numbers, amounts in SEK ("12 345,50", "12.345", "12 345 kr", Excel
    numbers; rounded to whole kronor), a fire's two flags and the classification with its legal
    ground (classified only by a role cleared for it). An incident with the same unit, the same
    time and the same description as one already registered is refused, so that a file imported
    twice adds nothing twice; so is the second of two such rows in the file. A constant number
    of queries, whatever the number of rows.
``import_file(data, filename, group, user, progress=None) -> Plan``
    Parses and checks again and — only if no row is refused — writes every incident in one
    transaction, in batches (`bulk_create`, with history): all or nothing. `progress(phase,
    done, total)` is told how far it has come (import_jobs.py runs large files in the
    background and shows it).

What is written differs from an incident reported by hand, deliberately:

* The total damage cost becomes one cost item of the kind "other" with that final amount, and
  the incident's sums (estimated 0, final and best known = the amount) are written directly with
  it — what `services.update_costs` would compute, without two queries per incident. A cost of
  0 means "no damage cost"; an empty cost leaves the costs unknown.
* An imported incident counts as reported when it happened (`reported_at` = `occurred_at`), so
  the checks of HJ-12 and AL-5 judge it by its own date, not the day of the import; it has no
  reporting user (it would flood the importer's "my reports"), and the history names who
  imported it and from which file. When a closed one was closed is not known (`closed_on`
  empty).
* Persons involved are never imported (personal data minimisation): add them by hand where an
  investigation needs them.
"""

import contextlib
import datetime
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.import_plan import RowError
from varna.core.models import Classification
from varna.core.permissions import get_access
from varna.core.tabular import Column, Table
from varna.organisation.models import MunicipalGroup, OrgUnit

from . import summary
from .models import Category, CostItem, Incident

IMPORT_KIND = "incidents"
"""The import's name for its saved column choices (core/column_mapping.py)."""

ADDED, REFUSED = import_plan.ADDED, import_plan.REFUSED
CHECKING, WRITING = "checking", "writing"
MAX_ROWS = 100_000
"""Most data rows of one file: ten years of a large municipality's incidents (the shared
default of tabular.MAX_ROWS is lower)."""
MAX_BYTES = 50 * 1024 * 1024
"""Largest file accepted: 100,000 rows of CSV with long descriptions."""
BATCH_SIZE = 1000
PROGRESS_EVERY = 5000
"""Rows checked between two reports of the progress."""
EXISTING_IN_QUERY = 500
"""Up to this many distinct times are looked up with IN (…); above it, the file's time span."""
UNITS_IN_QUERY = 500
REQUIRED = ("occurred_at", "category", "unit", "description")
LONG_TEXT = ("description", "immediate_actions")
LONG_TEXT_CHARS = 5000
"""Descriptions and actions may be longer than other cells (tabular.MAX_CELL_CHARS)."""
MAX_LENGTH = {
    name: Incident._meta.get_field(name).max_length
    for name in ("place", "police_report_number", "insurance_claim_number", "classification_ground")
}
AMOUNTS = ("cost", "insurer_paid", "deductible", "internal_deductible")
FLAGS = ("fire_deliberate", "fire_alarm_detected")
MAX_AMOUNT = Decimal(10) ** 12
"""Amounts must fit a cost item's final amount (12 digits)."""
FUTURE_GRACE = datetime.timedelta(minutes=5)  # as the model's own check

NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected datum, kategori, enhetskod and beskrivning (found: %(found)s)."
)

COLUMNS = (
    Column(
        "occurred_at",
        "datum",
        (
            "datum",
            "händelsedatum",
            "datum och tid",
            "datum och tidpunkt",
            "tidpunkt",
            "inträffade",
            "när det hände",
            "date",
            "date and time",
            "occurred",
            "occurred at",
            "when it happened",
        ),
        gettext_lazy(
            "When it happened: 2024-03-05 or 2024-03-05 14:30, also 5/3/2024 (day first), 05.03.2024, "
            "20240305 or an Excel date. Not in the future."
        ),
    ),
    Column(
        "occurred_time",
        "klockslag",
        ("klockslag", "tid", "kl", "klockan", "tid på dygnet", "tidpunkt på dagen", "time", "time of day"),
        gettext_lazy(
            "The time of day, when the file keeps it in a column of its own: 14:30, 14.30 or kl. 14.30 (optional; "
            "then the date must be a date without a time)."
        ),
    ),
    Column(
        "category",
        "kategori",
        ("kategori", "händelsetyp", "typ av händelse", "typ", "category", "incident type", "type"),
        gettext_lazy(
            "Kind of incident, e.g. klotter, skadegörelse, stöld, inbrott, brand, anlagd brand, hot och våld, "
            "vattenskada, tillbud, olycka, IT-incident, störning or extraordinär händelse."
        ),
    ),
    Column(
        "unit",
        "enhetskod",
        (
            "enhetskod",
            "ansvarig enhet",
            "ansvarig enhet (kod)",
            "enhet",
            "responsible unit code",
            "responsible unit",
            "unit code",
            "unit",
        ),
        gettext_lazy(
            "Code of the responsible unit (or its name, if no other unit has it). You must be allowed to "
            "change incidents there."
        ),
    ),
    Column(
        "place",
        "plats",
        ("plats", "adress", "plats/adress", "plats eller adress", "var", "where", "place", "address", "location"),
        gettext_lazy("Where: site, building, room or address (optional)."),
    ),
    Column(
        "description",
        "beskrivning",
        ("beskrivning", "händelsebeskrivning", "vad hände", "vad som hände", "description", "what happened"),
        gettext_lazy(
            "What happened. An incident with the same unit, time and description as one already registered is refused."
        ),
    ),
    Column(
        "immediate_actions",
        "åtgärder",
        (
            "åtgärder",
            "omedelbara åtgärder",
            "vidtagna åtgärder",
            "åtgärd",
            "immediate actions",
            "actions taken",
            "actions",
        ),
        gettext_lazy("Immediate actions (optional)."),
    ),
    Column(
        "status",
        "status",
        ("status", "state"),
        gettext_lazy("Reported, under investigation, measures decided or closed (optional: closed)."),
    ),
    Column(
        "police_report_number",
        "polisanmälan",
        (
            "polisanmälan",
            "polisanmälans nummer",
            "polisanmälan nr",
            "polisanmälningsnummer",
            "police report",
            "police report number",
        ),
        gettext_lazy("Number of the police report (optional)."),
    ),
    Column(
        "insurance_claim_number",
        "skadenummer",
        (
            "skadenummer",
            "skadenr",
            "skadeanmälans nummer",
            "skadeanmälans nummer hos försäkringsbolaget",
            "claim number",
            "insurance claim number",
        ),
        gettext_lazy("The insurer's claim number (optional)."),
    ),
    Column(
        "cost",
        "kostnad",
        (
            "kostnad",
            "kostnad (kr)",
            "skadekostnad",
            "skadekostnad (kr)",
            "total kostnad",
            "cost",
            "damage cost",
            "damage cost (sek)",
        ),
        gettext_lazy(
            "Total damage cost in SEK, e.g. 12 345,50 or 12 345 kr, rounded to whole kronor (optional: "
            "not known; 0 means no damage cost)."
        ),
    ),
    Column(
        "insurer_paid",
        "ersatt av försäkring",
        (
            "ersatt av försäkring",
            "ersatt av försäkringen",
            "ersatt av försäkringsbolaget",
            "ersatt av försäkringsbolaget (kr)",
            "försäkringsersättning",
            "insurer paid",
            "paid by the insurer",
            "paid by the insurer (sek)",
        ),
        gettext_lazy("What the insurer paid, SEK (optional)."),
    ),
    Column(
        "deductible",
        "självrisk",
        (
            "självrisk",
            "självrisk (kr)",
            "självrisk hos försäkringsbolaget",
            "självrisk hos försäkringsbolaget (kr)",
            "deductible",
            "insurer's deductible",
            "insurer's deductible (sek)",
        ),
        gettext_lazy("The insurer's deductible, SEK (optional)."),
    ),
    Column(
        "internal_deductible",
        "intern självrisk",
        ("intern självrisk", "intern självrisk (kr)", "internal deductible", "internal deductible (sek)"),
        gettext_lazy("What the unit carried itself under the municipality's internal rules, SEK (optional)."),
    ),
    Column(
        "fire_deliberate",
        "anlagd",
        ("anlagd", "anlagd brand?", "deliberately set"),
        gettext_lazy("For a fire: ja or nej, whether it was deliberately set (optional)."),
    ),
    Column(
        "fire_alarm_detected",
        "upptäckt av larm",
        ("upptäckt av larm", "detected by an alarm"),
        gettext_lazy("For a fire: ja or nej, whether an alarm detected it (optional)."),
    ),
    Column(
        "classification",
        "klassning",
        ("klassning", "informationsklass", "sekretessklassning", "classification"),
        gettext_lazy("Public, internal or classified (optional: internal)."),
    ),
    Column(
        "classification_ground",
        "sekretessgrund",
        ("sekretessgrund", "rättslig grund", "legal ground for secrecy", "legal ground"),
        gettext_lazy("Legal ground for secrecy, e.g. OSL 18 kap. 8 §. Required for a classified incident."),
    ),
)
COLUMN = {c.field: c for c in COLUMNS}
TEMPLATE_LEAVES_OUT = ("occurred_time",)
"""The file to fill in keeps the time in the date column (a time column is for other systems' exports)."""

Progress = Callable[[str, int, int], None]
"""Told (phase, done, total) now and then: CHECKING rows, then WRITING them."""


def parse_file(data: bytes, filename: str, group=None, *, header_only: bool = False) -> Table:
    """Read bytes into a Table with the incident columns and the group's saved column choices.
    Never raises."""
    return tabular.parse_file(
        data,
        filename,
        COLUMNS,
        REQUIRED,
        NO_KNOWN_COLUMNS,
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        mapping=column_mapping.saved(group, IMPORT_KIND),
        header_only=header_only,
    )


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean, per field (core/column_mapping.py): the
    categories, the statuses and the units the user may register incidents for."""
    units = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("path")
    return {
        "category": list(Category.choices),
        "status": list(Incident.State.choices),
        "unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")],
    }


def template_rows(group, user) -> tuple[list[str], list[list[Any]]]:
    """A file to fill in: the Swedish column names and an example row, for a unit the user may
    change incidents for."""
    columns = [c for c in COLUMNS if c.field not in TEMPLATE_LEAVES_OUT]
    headers = [c.header for c in columns]
    unit = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("path").first()
    if unit is None:
        return headers, []
    values = {
        "occurred_at": datetime.datetime(2025, 3, 5, 14, 30),
        "category": str(Category.GRAFFITI.label),
        "unit": unit.code,
        "place": _("Example: the school's gable facing the schoolyard"),
        "description": _("Graffiti over the whole gable, discovered in the morning."),
        "immediate_actions": _("Photographed and removed by the caretaker."),
        "status": str(Incident.State.CLOSED.label),
        "cost": 4500,
        "classification": str(Classification.INTERNAL.label),
    }
    return headers, [[values.get(c.field, "") for c in columns]]


# ---------------------------------------------------------------------------------------------
# Reading cells

_key = tabular.key
_TIME = r"(?:(?:\s+|T)(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_WORDS = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})" + _TIME)
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "february"),
            ("mars", "mar", "march"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("augusti", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _local(naive: datetime.datetime, tz) -> datetime.datetime:
    if naive.year < 1900:
        raise ValueError(naive)
    return naive.replace(tzinfo=tz)  # timezone.make_aware, for zoneinfo


_CLOCK = re.compile(r"(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")


def parse_clock(value: Any) -> datetime.time | None:
    """A time of day from a column of its own: "14:30", "14.30", "kl. 14.30", "14:30:05", an
    Excel time cell, or a fraction of a day (an Excel time not formatted as one). None for an
    empty cell; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.date() not in (datetime.date(1899, 12, 30), datetime.date(1899, 12, 31), datetime.date(1900, 1, 1)):
            raise ValueError(value)
        value = value.time()
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if not 0 <= value < 1:
            raise ValueError(value)
        seconds = round(value * 86400)
        return datetime.time(*divmod(seconds // 60, 60), seconds % 60) if seconds < 86400 else datetime.time(23, 59, 59)
    text = " ".join(str(value).split())
    if not text:
        return None
    match = _CLOCK.fullmatch(text.casefold())
    if not match:
        raise ValueError(text)
    hour, minute, second = (int(g or 0) for g in match.groups())
    return datetime.time(hour, minute, second)  # ValueError past 23:59:59


def _clock(groups) -> tuple[int, int, int]:
    hour, minute, second = groups
    return (int(hour), int(minute), int(second or 0)) if hour is not None else (0, 0, 0)


def parse_when(value: Any, tz=None) -> datetime.datetime | None:
    """When it happened, as an aware time in the current time zone (Europe/Stockholm): ISO dates
    with or without a time ("2024-03-05", "2024-03-05 14:30", "2024-03-05T14:30:00+01:00"),
    day-first dates ("5/3/2024", "05.03.2024 14.30" – Swedish offices write the day first),
    "20240305", "5 mars 2024" and Excel date or date-time cells. A date alone is midnight. None
    for an empty cell; ValueError otherwise. `tz`: the current time zone, if the caller knows it."""
    if value is None:
        return None
    tz = tz or timezone.get_current_timezone()
    if isinstance(value, datetime.datetime):
        if value.microsecond:  # Excel keeps times as fractions of a day: 14:29:59.999 is 14:30
            value = value.replace(microsecond=0) + datetime.timedelta(seconds=value.microsecond >= 500_000)
        return _local(value, tz) if timezone.is_naive(value) else value.astimezone(tz)
    if isinstance(value, datetime.date):
        return _local(datetime.datetime.combine(value, datetime.time()), tz)
    if isinstance(value, bool | datetime.time | datetime.timedelta):
        raise ValueError(value)
    if isinstance(value, int | float):
        # A date typed as a number: 20240305, never an Excel serial number (ambiguous).
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        value = str(int(value))
    text = " ".join(str(value).split())
    if not text:
        return None
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups()[:3])
        return _local(datetime.datetime(year, month, day, *_clock(match.groups()[3:])), tz)
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, _sep, month, year = match.groups()[:4]
        return _local(datetime.datetime(int(year), int(month), int(day), *_clock(match.groups()[4:])), tz)
    match = _COMPACT.fullmatch(text)
    if match:
        return _local(datetime.datetime(*(int(g) for g in match.groups())), tz)
    match = _MONTH_WORDS.fullmatch(text)
    if match:
        day, month, year = match.groups()[:3]
        number = MONTHS.get(month.casefold())
        if number is None:
            raise ValueError(text)
        return _local(datetime.datetime(int(year), number, int(day), *_clock(match.groups()[3:])), tz)
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        # ISO forms with seconds' fractions or an offset, as other systems export them.
        parsed = datetime.datetime.fromisoformat(text)
        return _local(parsed, tz) if timezone.is_naive(parsed) else parsed.astimezone(tz)
    raise ValueError(text)


_CURRENCY = re.compile(r"^(?:sek|kr\.?)\s*|\s*(?:kr\.?|kronor|sek|:-|:–|,-|,–)$", re.IGNORECASE)
_SWEDISH_AMOUNT = re.compile(r"(\d{1,3}(?:[ .']\d{3})+|\d+)(?:,(\d+))?")
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d{1,2})")  # 12345.50 as a program writes it (never 12.345)


class NegativeAmount(ValueError):
    pass


class AmountTooLarge(ValueError):
    pass


def parse_amount(value: Any) -> Decimal | None:
    """An amount in SEK, rounded half up to whole kronor: Excel numbers, or text written the
    Swedish way – a decimal comma, thousands separated by spaces or dots ("12 345,50",
    "12.345,50", "12 345 kr", "12 345:-"); "12345.50" with a decimal point also reads. None
    for an empty cell (or a lone dash); ValueError (NegativeAmount, AmountTooLarge) otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(value)
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        amount = Decimal(int(value))  # the common case, quickly
    elif isinstance(value, str):
        text = " ".join(value.translate(tabular.SPACES).split())
        if text in ("", "-", "–", "—"):
            return None
        negative = text.startswith(("-", "–"))
        text = text.lstrip("-– ")
        for _round in range(2):
            text = _CURRENCY.sub("", text).strip()
        match = _SWEDISH_AMOUNT.fullmatch(text)
        if match:
            integer, fraction = re.sub(r"[ .']", "", match.group(1)), match.group(2) or "0"
        else:
            match = _DOT_DECIMAL.fullmatch(text)
            if not match:
                raise ValueError(value)
            integer, fraction = match.groups()
        if len(integer) > 15:
            raise AmountTooLarge(value)
        amount = Decimal(f"{'-' if negative else ''}{integer}.{fraction}")
    else:
        raise ValueError(value)
    try:
        rounded = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise AmountTooLarge(value) from None
    if rounded < 0:
        raise NegativeAmount(value)
    if rounded >= MAX_AMOUNT:
        raise AmountTooLarge(value)
    return rounded + 0  # never "-0"


_YES = {"ja", "j", "yes", "y", "x", "1", "sant", "true"}
_NO = {"nej", "n", "no", "0", "falskt", "false"}
_UNKNOWN = {"", "vet ej", "okänt", "okänd", "unknown", "not known", "-", "–"}


def parse_flag(value: Any) -> bool | None:
    """Ja or nej (yes, no, x, 1, 0, Excel's TRUE and FALSE); None when not known."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _key(tabular.cell_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    raise ValueError(value)


def _labels(choices) -> dict[str, str]:
    keys = {_key(value): value for value in choices.values}
    for language in ("sv", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                keys.setdefault(_key(str(label)), value)
    return keys


def category_keys() -> dict[str, tuple[str, bool | None]]:
    """A category as registers write it → (category, whether a fire was deliberately set)."""
    keys = {name: (value, None) for name, value in _labels(Category).items()}
    for words, value, deliberate in (
        (("klotter", "graffiti", "klotter på fasad"), Category.GRAFFITI, None),
        (("skadegörelse", "vandalisering", "vandalism"), Category.VANDALISM, None),
        (("stöld", "stölder", "theft"), Category.THEFT, None),
        (("inbrott", "inbrottsförsök", "burglary", "break-in"), Category.BURGLARY, None),
        (("brand", "brandtillbud", "fire"), Category.FIRE, None),
        (
            ("anlagd brand", "brand, anlagd", "brand anlagd", "brand (anlagd)", "anlagd", "mordbrand", "arson"),
            Category.FIRE,
            True,
        ),
        (
            (
                "hot och våld",
                "hot/våld",
                "hot & våld",
                "våld och hot",
                "hot",
                "våld",
                "threat",
                "violence",
                "threats and violence",
            ),
            Category.THREAT_VIOLENCE,
            None,
        ),
        (("vattenskada", "vattenläcka", "water damage", "water leak"), Category.WATER_DAMAGE, None),
        (("tillbud", "near miss"), Category.NEAR_MISS, None),
        (("förlorad nyckel", "borttappad nyckel", "tappad nyckel", "lost key"), Category.LOST_KEY, None),
        (("olycka", "olyckshändelse", "accident"), Category.ACCIDENT, None),
        (("it-incident", "it incident", "it", "it-störning", "informationssäkerhetsincident"), Category.IT, None),
        (("störning", "driftstörning", "avbrott", "disruption"), Category.DISRUPTION, None),
        (("extraordinär händelse", "extraordinary event", "kris"), Category.EXTRAORDINARY, None),
    ):
        for word in words:
            keys[_key(word)] = (value, deliberate)
    return keys


def status_keys() -> dict[str, str]:
    keys = _labels(Incident.State)
    for word, value in (
        ("avslutad", Incident.State.CLOSED),
        ("avslutat", Incident.State.CLOSED),
        ("stängd", Incident.State.CLOSED),
        ("klar", Incident.State.CLOSED),
        ("åtgärdad", Incident.State.CLOSED),
        ("done", Incident.State.CLOSED),
        ("rapporterad", Incident.State.REPORTED),
        ("anmäld", Incident.State.REPORTED),
        ("ny", Incident.State.REPORTED),
        ("new", Incident.State.REPORTED),
        ("utreds", Incident.State.INVESTIGATING),
        ("under utredning", Incident.State.INVESTIGATING),
        ("pågående", Incident.State.INVESTIGATING),
        ("åtgärder beslutade", Incident.State.MEASURES_DECIDED),
        ("beslutade åtgärder", Incident.State.MEASURES_DECIDED),
    ):
        keys.setdefault(word, value)
    return keys


# ---------------------------------------------------------------------------------------------
# Checking the rows


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, Any]  # cleaned text, or typed values for dates, amounts and flags
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    unit: OrgUnit | None = None
    category: str = ""
    state: str = Incident.State.CLOSED
    classification: str = Classification.INTERNAL
    fire_deliberate: bool | None = None

    @property
    def label(self) -> str:
        text = self.values.get("description") or ""
        return text if len(text) <= 80 else text[:79] + "…"

    @property
    def occurred_at(self) -> datetime.datetime | None:
        return self.values.get("occurred_at")

    @property
    def cost(self) -> Decimal | None:
        return self.values.get("cost")

    @property
    def category_label(self) -> str:
        return Category(self.category).label if self.category else ""

    @property
    def state_label(self) -> str:
        return Incident.State(self.state).label


@dataclass
class Plan(import_plan.Plan):
    created: int = 0  # incidents written


_error = import_plan.add_error


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    if "\n" not in text and "\r" not in text:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _shown(value: Any) -> str:
    return _single_line(tabular.cell_text(value))[:40]


def _cell_readers(table: Table, latest: datetime.datetime) -> list[tuple[str, int, Callable]]:
    """For each column of the file: its field, its index and a function that reads a cell of it
    into a typed value, adding an error to the row when it cannot. Chosen once per column, not
    once per cell: a file may have a million cells."""

    tz = timezone.get_current_timezone()

    def when(name):
        def read(value, row):
            try:
                parsed = parse_when(value, tz)
            except (ValueError, OverflowError):
                message = _("“%(value)s” is not a date. Write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM.")
                _error(table, row, name, message % {"value": _shown(value)})
                return None
            if parsed is not None and parsed > latest:
                _error(table, row, name, _("An incident cannot have happened in the future."))
            return parsed

        return read

    def amount(name):
        def read(value, row):
            try:
                return parse_amount(value)
            except NegativeAmount:
                _error(table, row, name, _("An amount cannot be negative."))
            except AmountTooLarge:
                _error(table, row, name, _("The amount is too large."))
            except ValueError:
                message = _("“%(value)s” is not an amount in SEK. Write it like 12 345 or 12 345,50.")
                _error(table, row, name, message % {"value": _shown(value)})
            return None

        return read

    def flag(name):
        def read(value, row):
            try:
                return parse_flag(value)
            except ValueError:
                _error(table, row, name, _("Write ja or nej (or leave it empty if not known)."))
                return None

        return read

    def text(name):
        tidy = _paragraphs if name in LONG_TEXT else _single_line
        limit = LONG_TEXT_CHARS if name in LONG_TEXT else tabular.MAX_CELL_CHARS
        max_length = MAX_LENGTH.get(name)

        def read(value, row):
            if value is None:
                return ""
            cleaned = tidy(value if isinstance(value, str) else tabular.cell_text(value))
            return import_plan.read_text(table, row, name, cleaned, limit=limit, max_length=max_length)

        return read

    def clock(name):
        def read(value, row):
            try:
                return parse_clock(value)
            except (ValueError, OverflowError):
                _error(
                    table,
                    row,
                    name,
                    _("“%(value)s” is not a time of day. Write it as HH:MM.") % {"value": _shown(value)},
                )
                return None

        return read

    def reader(name):
        if name == "occurred_at":
            return when(name)
        if name == "occurred_time":
            return clock(name)
        if name in AMOUNTS:
            return amount(name)
        if name in FLAGS:
            return flag(name)
        return text(name)

    return [(name, index, reader(name)) for name, index in table.columns.items()]


def _combine(table: Table, row, clock: datetime.time, latest: datetime.datetime) -> None:
    """A date and a time of day from two columns into one moment (the time as on the wall clock
    in Sweden that day)."""
    values = row.values
    day = values["occurred_at"]
    if day.timetz().replace(tzinfo=None) != datetime.time():
        _error(
            table,
            row,
            "occurred_time",
            _("The date already holds a time: leave the time column empty or the time out of the date."),
        )
        return
    moment = datetime.datetime.combine(day.date(), clock).replace(tzinfo=day.tzinfo)
    if moment > latest:
        _error(table, row, "occurred_time", _("An incident cannot have happened in the future."))
    values["occurred_at"] = moment


def _clean(table: Table, progress: Progress | None) -> list[Row]:
    """Typed values per row, with the errors that need no database."""
    latest = timezone.now() + FUTURE_GRACE
    readers = _cell_readers(table, latest)
    total = len(table.rows)
    rows = []
    for count, (number, cells) in enumerate(table.rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(CHECKING, count, total)
        row = Row(number=number, values={})
        values = row.values
        width = len(cells)
        for name, index, read in readers:
            values[name] = read(cells[index] if index < width else None, row)
        clock = values.pop("occurred_time", None)
        if clock is not None and values.get("occurred_at") is not None:
            _combine(table, row, clock, latest)
        if row.errors or not all(values.get(name) for name in REQUIRED):
            import_plan.require(table, row, REQUIRED)
        rows.append(row)
    if progress is not None:
        progress(CHECKING, total, total)
    return rows


def _identity(unit_id: int, when: datetime.datetime, description: str) -> tuple:
    """What makes two incidents the same: unit, time and description (spacing and case aside)."""
    return (unit_id, when.astimezone(datetime.UTC), " ".join(description.split()).casefold())


def _existing(group, rows: list[Row]) -> set[tuple]:
    """The identities of registered incidents that rows of the file may repeat: one query over
    the file's units and times (the distinct times, or their span when there are many)."""
    candidates = {(r.unit.pk, r.occurred_at.astimezone(datetime.UTC)) for r in rows}
    if not candidates:
        return set()
    units = {unit_id for unit_id, _when in candidates}
    times = {when for _unit, when in candidates}
    incidents = Incident.objects.filter(group=group)
    if len(units) <= UNITS_IN_QUERY:
        incidents = incidents.filter(unit__in=units)
    if len(times) <= EXISTING_IN_QUERY:
        incidents = incidents.filter(occurred_at__in=times)
    else:
        incidents = incidents.filter(occurred_at__gte=min(times), occurred_at__lte=max(times))
    found = set()
    for unit_id, when, description in incidents.values_list("unit_id", "occurred_at", "description").iterator(
        chunk_size=5000
    ):
        if (unit_id, when.astimezone(datetime.UTC)) in candidates:
            found.add(_identity(unit_id, when, description))
    return found


def build_plan(
    table: Table,
    group,
    user,
    *,
    lock: bool = False,
    progress: Progress | None = None,
    skip_registered: bool = False,
) -> Plan:
    """Check every row; nothing is written. `lock` (inside a transaction) locks the group, so
    that two imports run one after the other and the second finds the incidents of the first."""
    plan = Plan.for_table(table, skip_registered=skip_registered)
    if table.errors:
        return plan
    if lock:
        list(MunicipalGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True))
    rows = _clean(table, progress)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    access = get_access(user)
    categories = category_keys()
    statuses = status_keys()
    classifications = tabular.classification_keys()

    units_by_code: dict[str, OrgUnit] = {}
    units_by_name: dict[str, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.filter(group=group).only("pk", "code", "name", "path", "group_id"):
        units_by_code[unit.code.casefold()] = unit
        units_by_name.setdefault(_key(unit.name), []).append(unit)
    changeable = set(OrgUnit.objects.restrict(user, "change").filter(group=group).values_list("pk", flat=True))
    unit_cache: dict[str, tuple[OrgUnit | None, str | None]] = {}

    def find_unit(text: str) -> tuple[OrgUnit | None, str | None, bool]:
        """The unit a cell names, or the reason it names none and whether the cell's word is one
        the user can give a meaning (computed once per spelling)."""
        if text in unit_cache:
            return unit_cache[text]
        unit, message, unknown = units_by_code.get(text.casefold()), None, False
        if unit is None:
            named = units_by_name.get(_key(text), [])
            unknown = len(named) != 1
            if len(named) == 1:
                unit = named[0]
            elif named:
                message = _("Several units are named “%(value)s”: write the unit's code.") % {"value": text[:80]}
            else:
                message = _("There is no unit with the code %(code)s.") % {"code": text[:80]}
        if unit is not None and unit.pk not in changeable and not access.is_superuser:
            unit, message = None, _("You may not register incidents for the unit %(code)s.") % {"code": unit.code}
        unit_cache[text] = (unit, message, unknown)
        return unit, message, unknown

    for row in rows:
        v = row.values

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            _error(table, row, name, message, unknown=unknown)

        if v.get("category"):
            found = categories.get(_key(v["category"]))
            if found is None:
                known = ", ".join(str(label).lower() for label in Category.labels)
                error(
                    "category",
                    _("Unknown category “%(value)s” (known: %(known)s).")
                    % {"value": v["category"][:80], "known": known},
                    unknown=v["category"],
                )
            else:
                row.category, row.fire_deliberate = found
        if v.get("unit"):
            row.unit, message, unknown = find_unit(v["unit"])
            if message:
                error("unit", message, unknown=v["unit"] if unknown else "")
        if v.get("status"):
            state = statuses.get(_key(v["status"]))
            if state is None:
                known = ", ".join(str(label).lower() for label in Incident.State.labels)
                error(
                    "status",
                    _("Unknown status “%(value)s” (known: %(known)s).") % {"value": v["status"][:40], "known": known},
                    unknown=v["status"],
                )
            else:
                row.state = state
        # A fire's flags: only for a fire, and agreeing with "anlagd brand".
        for name in FLAGS:
            if v.get(name) is not None and row.category and row.category != Category.FIRE:
                error(name, _("Only a fire can be deliberately set or detected by an alarm."))
        if v.get("fire_deliberate") is not None and row.category == Category.FIRE:
            if row.fire_deliberate is not None and v["fire_deliberate"] != row.fire_deliberate:
                error("fire_deliberate", _("The category says the fire was deliberately set."))
            row.fire_deliberate = v["fire_deliberate"]
        if v.get("cost") == 0 and v.get("insurer_paid"):
            error("insurer_paid", _("The damage cost is 0: the insurer cannot have paid anything."))
        # Classification.
        if v.get("classification"):
            value = classifications.get(_key(v["classification"]))
            if value is None:
                error(
                    "classification",
                    _("Unknown classification “%(value)s” (known: public, internal, classified).")
                    % {"value": v["classification"][:40]},
                )
            else:
                row.classification = value
        if row.classification == Classification.CLASSIFIED:
            if not v.get("classification_ground"):
                error("classification_ground", _("State the legal ground when a record is classified."))
            if row.unit is not None and not access.can_see_classified(row.unit):
                error("classification", _("You may not register classified incidents for this unit."))

    # The same incident twice: already registered, or earlier in the file.
    complete = [r for r in rows if r.unit is not None and r.occurred_at is not None and r.values.get("description")]
    existing = _existing(group, complete)
    in_file: dict[tuple, Row] = {}
    for row in complete:
        identity = _identity(row.unit.pk, row.occurred_at, row.values["description"])
        if identity in existing:
            message = _("This incident is already registered (same unit, time and description): already imported?")
            import_plan.already_registered(table, row, "description", message, plan)
        elif identity in in_file:
            _error(
                table,
                row,
                "description",
                _("The same incident is also on row %(row)s.") % {"row": in_file[identity].number},
            )
        else:
            in_file[identity] = row

    plan.settle()
    return plan


# ---------------------------------------------------------------------------------------------
# Writing


def _incident(row: Row, group, zero: Decimal) -> Incident:
    v = row.values
    cost = v.get("cost")
    classified = row.classification == Classification.CLASSIFIED
    return Incident(
        group=group,
        unit=row.unit,
        category=row.category,
        occurred_at=row.occurred_at,
        reported_at=row.occurred_at,
        source=Incident.Source.IMPORT,
        place=v.get("place", ""),
        description=v["description"],
        immediate_actions=v.get("immediate_actions", ""),
        status=row.state,
        fire_deliberate=row.fire_deliberate if row.category == Category.FIRE else None,
        fire_alarm_detected=v.get("fire_alarm_detected") if row.category == Category.FIRE else None,
        police_report_number=v.get("police_report_number", ""),
        insurance_claim_number=v.get("insurance_claim_number", ""),
        no_damage_cost=cost == 0,
        deductible=v.get("deductible") or zero,
        internal_deductible=v.get("internal_deductible") or zero,
        insurer_paid=v.get("insurer_paid") or zero,
        # The sums services.update_costs keeps, for the one cost item written with it.
        cost_estimated=zero,
        cost_final=cost or zero,
        cost=cost or zero,
        classification=row.classification,
        classification_ground=v.get("classification_ground", "") if classified else "",
    )


def apply_plan(plan: Plan, group, user, *, progress: Progress | None = None) -> int:
    """Write an accepted plan in batches. Call inside transaction.atomic(), with a plan built in
    it. Returns the number of incidents written."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = plan.change_reason()
    item_description = _("Damage cost imported from file")
    zero = Decimal(0)
    rows = plan.added
    total = len(rows)
    written = 0
    created: list[int] = []
    for start in range(0, total, BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        incidents = [_incident(row, group, zero) for row in batch]
        bulk_create_with_history(
            incidents, Incident, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
        )
        created.extend(incident.pk for incident in incidents)
        items = [
            CostItem(incident=incident, kind=CostItem.Kind.OTHER, description=item_description, final=incident.cost)
            for incident in incidents
            if incident.cost
        ]
        if items:
            bulk_create_with_history(
                items, CostItem, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
            )
        written += len(incidents)
        if progress is not None:
            progress(WRITING, written, total)
    # bulk_create bypasses save(): the damage figures added up ahead are told, once for all.
    summary.add_created(group, created)
    plan.applied = True
    plan.created = written
    return written


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Checking and writing a large file makes millions of objects, hardly any of them in reference
    cycles worth collecting meanwhile: without the cyclic garbage collector's passes over them
    it is a quarter faster. Collection resumes (if it was on) when done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(
    data: bytes, filename: str, group, user, *, progress: Progress | None = None, skip_registered: bool = False
) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    with without_cyclic_gc():
        return _import_file(data, filename, group, user, progress, skip_registered)


def _import_file(data: bytes, filename: str, group, user, progress: Progress | None, skip_registered: bool) -> Plan:
    table = parse_file(data, filename, group)

    def build() -> Plan:
        plan = build_plan(table, group, user, lock=True, progress=progress, skip_registered=skip_registered)
        table.rows = []  # the raw cells are no longer needed: keep the memory for the writing
        return plan

    return import_plan.all_or_nothing(build, lambda plan: apply_plan(plan, group, user, progress=progress))

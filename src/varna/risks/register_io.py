"""An existing risk register from Excel or CSV: the list a municipality kept before Värna.

The same three steps as the import of governing documents (documents/register_io.py), with the
file read by core/tabular.py and the plan of core/import_plan.py:

``parse_file(data, filename, group) -> Table``
    Bytes into header and rows; never raises (what is wrong with the file is in ``errors``).
    The columns follow the group's profile: one consequence column per dimension of its risk
    matrix ("konsekvens liv och hälsa", …), see `columns_for`.
``build_plan(table, group, user, analysis=None) -> Plan``
    Every row cleaned and checked: title, kind (hazard, threat, failing dependency, by key or
    by its Swedish or English name), responsible unit (by code, or by a name only one unit
    has; the user must be allowed to *change* risks there, as on the form for a new risk),
    optional description, category, cause, classification and legal ground, and an optional
    assessment: likelihood and a consequence per dimension on the profile's scales (a number
    or the level's name), and the date it was made (not in the future; today by default).
    All risks of a file go to one analysis, chosen on the upload form (or to none): a register
    is usually the list of one analysis, and choosing it from the analyses the user may see
    is friendlier than spelling its title in every row. A risk with the same title in the same
    analysis (or, without one, among the group's risks without an analysis) is refused, so
    that importing a file twice adds nothing twice. A constant number of queries.
``import_file(data, filename, group, user, analysis=None) -> Plan``
    Parses and checks again and — only if no row is refused — writes every risk in one
    transaction, with its history, and assesses the assessed ones through `services.assess`,
    exactly as a risk registered by hand and then assessed: dated assessment record, level,
    zone, life-and-health flag and next review.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.i18n import tr
from varna.core.import_plan import RowError
from varna.core.models import Classification
from varna.core.permissions import get_access
from varna.core.tabular import Column, Table
from varna.organisation.models import MunicipalGroup, OrgUnit

from . import services
from .models import Analysis, Risk, matrix_for
from .scoring import RiskMatrix, Score, ScoringError

IMPORT_KIND = "risks"
"""The import's name for its saved column choices (core/column_mapping.py)."""

REQUIRED = ("title", "unit")
LONG_TEXT = ("description", "cause")
LONG_TEXT_CHARS = 5000
"""Descriptions and causes may be longer than other cells (tabular.MAX_CELL_CHARS)."""
BATCH_SIZE = 500
MAX_LENGTH = {
    "title": Risk._meta.get_field("title").max_length,
    "category": Risk._meta.get_field("category").max_length,
    "classification_ground": Risk._meta.get_field("classification_ground").max_length,
}

NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected titel and enhetskod, and for an assessment "
    "sannolikhet and a consequence column per protected value (found: %(found)s)."
)

_HEAD = (
    Column(
        "title",
        "titel",
        ("titel", "risk", "riskens namn", "risknamn", "rubrik", "namn", "title", "risk title", "name"),
        gettext_lazy("Title of the risk. A risk with the same title in the analysis is refused."),
    ),
    Column(
        "description",
        "beskrivning",
        ("beskrivning", "riskbeskrivning", "händelse", "description", "risk description"),
        gettext_lazy("Description of the risk (optional)."),
    ),
    Column(
        "kind",
        "typ",
        ("typ", "risktyp", "slag", "kind", "type", "risk type"),
        gettext_lazy("Hazard, antagonistic threat or failing dependency (optional: hazard)."),
    ),
    Column(
        "category",
        "kategori",
        ("kategori", "riskkategori", "område", "category"),
        gettext_lazy("Category, e.g. Fastighet or IT (optional)."),
    ),
    Column(
        "cause",
        "orsak",
        ("orsak", "orsaker", "bakomliggande orsak", "cause", "causes"),
        gettext_lazy("Cause (optional)."),
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
            "register risks there."
        ),
    ),
)
_TAIL = (
    Column(
        "assessed_on",
        "bedömd",
        ("bedömd", "bedömd den", "bedömningsdatum", "datum för bedömning", "assessed", "assessed on"),
        gettext_lazy("Date of the assessment, YYYY-MM-DD (optional: today). Not in the future."),
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
        gettext_lazy("Legal ground for secrecy, e.g. OSL 18 kap. 8 §. Required for a classified risk."),
    ),
)
DIMENSION_PREFIX = "c_"


def _name_in(name: Any, language: str) -> str:
    if isinstance(name, dict):
        return str(name.get(language) or tr(name))
    return str(name or "")


def _scale_names(levels: list[dict]) -> str:
    return ", ".join(f"{s['level']} {tr(s['name'])}" for s in levels)


def columns_for(group) -> tuple[Column, ...]:
    """The columns a risk register may have for the group's profile: the fixed ones, the
    likelihood and one consequence column per dimension of the matrix (life and health first),
    named after the dimension in Swedish ("konsekvens liv och hälsa") and also accepted by its
    English name, its key or the dimension's name alone (as the risk export heads them)."""
    matrix = matrix_for(group)
    n_like, n_cons = matrix.size
    likelihood = Column(
        "likelihood",
        "sannolikhet",
        ("sannolikhet", "likelihood", "probability"),
        _(
            "Likelihood: a whole number from 1 to %(max)s or the name of a level (%(names)s). Leave empty to "
            "register the risk without an assessment."
        )
        % {"max": n_like, "names": _scale_names(matrix.likelihood)},
    )
    dimensions = []
    for dimension_key in matrix.dimension_keys():
        spec = next(d for d in matrix.dimensions if d["key"] == dimension_key)
        sv, en = _name_in(spec["name"], "sv"), _name_in(spec["name"], "en")
        spaced = dimension_key.replace("_", " ")
        dimensions.append(
            Column(
                DIMENSION_PREFIX + dimension_key,
                f"konsekvens {sv.lower()}",
                (
                    f"konsekvens {sv}",
                    f"konsekvens – {sv}",
                    f"konsekvens - {sv}",
                    f"konsekvens för {sv}",
                    sv,
                    f"consequence {en}",
                    f"consequence – {en}",
                    f"consequence - {en}",
                    f"consequence for {en}",
                    en,
                    f"konsekvens {spaced}",
                    f"consequence {spaced}",
                    dimension_key,
                ),
                _(
                    "Consequence for %(dimension)s: a whole number from 1 to %(max)s or the name of a level "
                    "(%(names)s). Empty: not assessed."
                )
                % {"dimension": tr(spec["name"]).lower(), "max": n_cons, "names": _scale_names(matrix.consequence)},
            )
        )
    return (*_HEAD, likelihood, *dimensions, *_TAIL)


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean, per field (core/column_mapping.py): the
    kinds of risk and the units the user may register risks for."""
    units = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("path")
    return {
        "kind": list(Risk.Kind.choices),
        "unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")],
    }


def template_rows(group, user) -> tuple[list[str], list[list[Any]]]:
    """A file to fill in: the Swedish column names and an example row, for a unit the user may
    register risks for."""
    columns = columns_for(group)
    headers = [c.header for c in columns]
    unit = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("path").first()
    if unit is None:
        return headers, []
    matrix = matrix_for(group)
    n_like, n_cons = matrix.size
    life = matrix.dimension_keys()[0]
    values = {
        "title": _("Example: power cut for more than 24 hours"),
        "description": _("The whole municipality is without electricity for more than a day in winter."),
        "kind": str(Risk.Kind.HAZARD.label),
        "category": _("Technical infrastructure"),
        "cause": _("Storm damage to the regional grid."),
        "unit": unit.code,
        "likelihood": min(3, n_like),
        DIMENSION_PREFIX + life: min(4, n_cons),
        "assessed_on": datetime.date(2025, 1, 15),
        "classification": str(Classification.INTERNAL.label),
        "classification_ground": "",
    }
    return headers, [[values.get(c.field, "") for c in columns]]


def parse_file(data: bytes, filename: str, group, *, header_only: bool = False) -> Table:
    """Read bytes into a Table with the columns of the group's profile and its saved column
    choices. Never raises."""
    return tabular.parse_file(
        data,
        filename,
        columns_for(group),
        REQUIRED,
        NO_KNOWN_COLUMNS,
        mapping=column_mapping.saved(group, IMPORT_KIND),
        header_only=header_only,
    )


# ---------------------------------------------------------------------------------------------
# Checking the rows


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    kind: str = Risk.Kind.HAZARD
    unit: OrgUnit | None = None
    classification: str = Classification.INTERNAL
    likelihood: int | None = None
    consequences: dict[str, int] = field(default_factory=dict)
    score: Score | None = None

    @property
    def label(self) -> str:
        return self.values.get("title", "")

    @property
    def kind_label(self) -> str:
        return Risk.Kind(self.kind).label


@dataclass
class Plan(import_plan.Plan):
    analysis: Analysis | None = None
    risks: list[Risk] = field(default_factory=list, repr=False)

    @property
    def assessed(self) -> int:
        return sum(1 for r in self.added if r.score is not None)


_key = tabular.key
# "3 – Medel", "3. Medel", "3 Medel": a number, then perhaps the level's name (never "3.5").
_NUMBERED = re.compile(r"(\d{1,3})(?:\s*[-–—:.)]\s*(\D.*)?|\s+(\D.*))?", re.DOTALL)


def _kind_keys() -> dict[str, str]:
    keys = {_key(value): value for value in Risk.Kind.values}
    for language in ("sv", "en"):
        with translation.override(language):
            for value, label in Risk.Kind.choices:
                keys.setdefault(_key(str(label)), value)
    for word, value in (
        ("olycka", Risk.Kind.HAZARD),
        ("olyckshändelse", Risk.Kind.HAZARD),
        ("fara", Risk.Kind.HAZARD),
        ("naturolycka", Risk.Kind.HAZARD),
        ("hot", Risk.Kind.THREAT),
        ("antagonistisk", Risk.Kind.THREAT),
        ("antagonistiskt", Risk.Kind.THREAT),
        ("antagonistiskt hot", Risk.Kind.THREAT),
        ("beroende", Risk.Kind.DEPENDENCY),
        ("fallerande beroende", Risk.Kind.DEPENDENCY),
        ("beroende som fallerar", Risk.Kind.DEPENDENCY),
    ):
        keys.setdefault(word, value)
    return keys


def _scale_keys(levels: list[dict]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for spec in levels:
        keys[str(spec["level"])] = spec["level"]
        for name in (spec.get("name") or {}).values():
            keys.setdefault(_key(str(name)), spec["level"])
    return keys


def _level(value: Any, keys: dict[str, int], size: int) -> int | None:
    """A level on a scale of `size` from a cell: a whole number (Excel's 3.0 too), a level's
    name in Swedish or English, or "3 – Medel". None for an empty cell; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        level = int(value)
    else:
        text = tabular.cell_text(value)
        if not text:
            return None
        named = keys.get(_key(text))
        if named is not None:
            return named
        match = _NUMBERED.fullmatch(text)
        if not match:
            raise ValueError(text)
        level = int(match.group(1))
        name = match.group(2) or match.group(3)
        if name and keys.get(_key(name), level) != level:
            raise ValueError(text)  # "3 – Hög" when Hög is 4: which one is meant?
    if not 1 <= level <= size:
        raise ValueError(value)
    return level


_error = import_plan.add_error


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean(table: Table, matrix: RiskMatrix) -> list[Row]:
    """Typed values per row, with the errors that need no database."""
    n_like, n_cons = matrix.size
    like_keys, cons_keys = _scale_keys(matrix.likelihood), _scale_keys(matrix.consequence)
    today = timezone.localdate()
    dimension_keys = matrix.dimension_keys()
    rows = []
    for number, cells in table.rows:
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in table.columns.items()}
        row = Row(number=number, values={})
        for name, value in raw.items():
            if name == "assessed_on":
                row.values[name] = import_plan.read_date(table, row, name, value)
                continue
            if name == "likelihood" or name.startswith(DIMENSION_PREFIX):
                levels, keys, size = (
                    (matrix.likelihood, like_keys, n_like)
                    if name == "likelihood"
                    else (matrix.consequence, cons_keys, n_cons)
                )
                try:
                    level = _level(value, keys, size)
                except ValueError:
                    level = None
                    _error(
                        table,
                        row,
                        name,
                        _(
                            "“%(value)s” is not on the scale: write a whole number from 1 to %(max)s or the name "
                            "of a level (%(names)s)."
                        )
                        % {"value": tabular.cell_text(value)[:40], "max": size, "names": _scale_names(levels)},
                    )
                row.values[name] = level
                continue
            text = tabular.cell_text(value)
            if name in LONG_TEXT:
                text, limit = _paragraphs(text), LONG_TEXT_CHARS
            else:
                text, limit = _single_line(text), tabular.MAX_CELL_CHARS
            row.values[name] = import_plan.read_text(
                table, row, name, text, limit=limit, max_length=MAX_LENGTH.get(name)
            )
        import_plan.require(table, row, REQUIRED)

        # The assessment: both parts or neither, on the profile's scales.
        row.likelihood = row.values.get("likelihood")
        row.consequences = {
            key: row.values[DIMENSION_PREFIX + key] for key in dimension_keys if row.values.get(DIMENSION_PREFIX + key)
        }
        failed = {e.column for e in row.errors}
        cons_failed = any(table.header_of(DIMENSION_PREFIX + key) in failed for key in dimension_keys)
        like_failed = table.header_of("likelihood") in failed
        assessed_on = row.values.get("assessed_on")
        if row.likelihood and not row.consequences and not cons_failed:
            _error(
                table, row, DIMENSION_PREFIX + dimension_keys[0], _("Assess the consequence in at least one dimension.")
            )
        elif row.consequences and not row.likelihood and not like_failed:
            _error(table, row, "likelihood", _("A likelihood is needed when consequences are assessed."))
        elif assessed_on and not row.likelihood and not row.consequences and not (like_failed or cons_failed):
            _error(
                table,
                row,
                "assessed_on",
                _(
                    "There is no assessment to date: fill in the likelihood and the consequences, or leave the "
                    "date empty."
                ),
            )
        if assessed_on and assessed_on > today:
            _error(table, row, "assessed_on", _("An assessment cannot be dated in the future."))
        if row.likelihood and row.consequences:
            try:
                row.score = matrix.score(row.likelihood, row.consequences)
            except ScoringError:
                _error(table, row, "likelihood", _("The values are outside the profile's scales."))
        rows.append(row)
    return rows


def build_plan(
    table: Table, group, user, analysis: Analysis | None = None, *, lock: bool = False, skip_registered: bool = False
) -> Plan:
    """Check every row; nothing is written. `lock` (inside a transaction) locks the analysis, or
    the group when there is none, so that two imports into the same place run one after the
    other and the second finds the risks of the first."""
    plan = Plan.for_table(table, analysis=analysis, skip_registered=skip_registered)
    if table.errors:
        return plan
    if analysis is not None:
        target = Analysis.objects.restrict(user).filter(group=group, pk=analysis.pk)
        if lock:
            target = target.select_for_update(of=("self",))
        if not list(target.values_list("pk", flat=True)):
            plan.file_errors.append(_("You may not add risks to this analysis."))
            return plan
    elif lock:
        list(MunicipalGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True))
    matrix = matrix_for(group)
    rows = _clean(table, matrix)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    access = get_access(user)
    kinds = _kind_keys()
    classifications = tabular.classification_keys()

    units_by_code: dict[str, OrgUnit] = {}
    units_by_name: dict[str, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.filter(group=group):
        units_by_code[unit.code.casefold()] = unit
        units_by_name.setdefault(_key(unit.name), []).append(unit)
    changeable = set(OrgUnit.objects.restrict(user, "change").filter(group=group).values_list("pk", flat=True))
    existing_qs = Risk.objects.filter(group=group)
    existing_qs = (
        existing_qs.filter(analysis=analysis) if analysis is not None else existing_qs.filter(analysis__isnull=True)
    )
    existing = {_key(title) for title in existing_qs.values_list("title", flat=True)}

    in_file: dict[str, Row] = {}
    for row in rows:
        v = row.values

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            _error(table, row, name, message, unknown=unknown)

        # Kind.
        if v.get("kind"):
            kind = kinds.get(_key(v["kind"]))
            if kind is None:
                known = ", ".join(str(label) for label in Risk.Kind.labels)
                message = _("Unknown kind “%(value)s” (known: %(known)s).") % {"value": v["kind"], "known": known}
                error("kind", message, unknown=v["kind"])
            else:
                row.kind = kind
        # Responsible unit: by code, else by a name only one unit has; the user may change risks there.
        if v.get("unit"):
            row.unit = units_by_code.get(v["unit"].casefold())
            if row.unit is None:
                named = units_by_name.get(_key(v["unit"]), [])
                if len(named) == 1:
                    row.unit = named[0]
                elif named:
                    error(
                        "unit",
                        _("Several units are named “%(value)s”: write the unit's code.") % {"value": v["unit"][:80]},
                        unknown=v["unit"],
                    )
                else:
                    message = _("There is no unit with the code %(code)s.") % {"code": v["unit"][:80]}
                    error("unit", message, unknown=v["unit"])
            if row.unit is not None and row.unit.pk not in changeable and not access.is_superuser:
                error("unit", _("You may not register risks for the unit %(code)s.") % {"code": row.unit.code})
                row.unit = None
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
                error("classification", _("You may not register classified risks for this unit."))
        # The same risk twice.
        if v.get("title"):
            identity = _key(v["title"])
            if identity in existing:
                if analysis is not None:
                    message = _("A risk with this title is already registered in the analysis.")
                else:
                    message = _("A risk with this title is already registered without an analysis.")
                import_plan.already_registered(table, row, "title", message, plan)
            elif identity in in_file:
                error("title", _("The same risk is also on row %(row)s.") % {"row": in_file[identity].number})
            else:
                in_file[identity] = row

    plan.settle()
    return plan


# ---------------------------------------------------------------------------------------------
# Writing


def apply_plan(plan: Plan, group, user) -> list[Risk]:
    """Write an accepted plan. Call inside transaction.atomic(), with a plan built in it."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = plan.change_reason()
    today = timezone.localdate()
    risks = []
    added = plan.added
    for row in added:
        v = row.values
        risks.append(
            Risk(
                group=group,
                analysis=plan.analysis,
                unit=row.unit,
                title=v["title"],
                description=v.get("description", ""),
                kind=row.kind,
                category=v.get("category", ""),
                cause=v.get("cause", ""),
                classification=row.classification,
                classification_ground=v.get("classification_ground", "")
                if row.classification == Classification.CLASSIFIED
                else "",
            )
        )
    bulk_create_with_history(risks, Risk, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason)
    # Each assessment as one made by hand: the dated record, then the level, zone, flag and next
    # review copied onto the risk.
    for row, risk in zip(added, risks, strict=True):
        if row.score is None:
            continue
        risk.group = group  # the profile's matrix without a query per risk
        services.assess(
            risk,
            likelihood=row.likelihood,
            consequences=row.consequences,
            reasoning=reason,
            user=user,
            on=row.values.get("assessed_on") or today,
        )
    plan.applied = True
    plan.risks = risks
    return risks


def import_file(
    data: bytes, filename: str, group, user, analysis: Analysis | None = None, *, skip_registered: bool = False
) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user, analysis, lock=True, skip_registered=skip_registered),
        lambda plan: apply_plan(plan, group, user),
    )

"""The register of governing documents to and from spreadsheets.

Export: the rows of the (filtered) register, for `core.spreadsheets.xlsx_response`.

Import of an existing register (the list a municipality kept in Excel before Värna), in the
same three steps as every import: the file read by core/tabular.py, the rows checked into a
plan and written all or nothing by core/import_plan.py:

``parse_file(data, filename, group) -> Table``
    Bytes into header and rows; never raises (what is wrong with the file is in ``errors``).
``build_plan(table, group, user, skip_registered=False) -> Plan``
    Every row cleaned and checked: kind (key or name from the profile), title, owner unit (by
    code; the user must *manage* it), decision date (not in the future), decided by (a body's
    name or a person's name, checked against the profile's rule for the kind, as a decision
    entered by hand is), in force from (not before the decision), optional owner,
    classification and record number. A row is added or refused with the row number and the
    column. A document of the same kind and title already registered for the unit is refused,
    so that importing the same file twice adds nothing twice. A constant number of queries.
``import_file(data, filename, group, user) -> Plan``
    Parses and checks again and — only if no row is refused — writes every document with a
    version saying where the document itself is kept and the decision, in one transaction.

Imported decisions create no notification duty: whether an old decision was communicated is
not known, and the duty would be pending for ever. The obligation checks read the imported
decisions like any other.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varna.core import column_mapping, import_plan, tabular
from varna.core.i18n import tr
from varna.core.import_plan import RowError
from varna.core.models import Classification
from varna.core.permissions import get_access
from varna.core.tabular import Column, Table
from varna.organisation.models import Body, OrgUnit, Person

from . import services
from .models import Decision, Document, DocumentVersion, Status
from .services import DecisionRules

IMPORT_KIND = "documents"
"""The import's name for its saved column choices (core/column_mapping.py)."""

COLUMNS = (
    Column(
        "kind",
        "typ",
        ("typ", "dokumenttyp", "slag", "kind", "type", "document kind", "document type"),
        gettext_lazy("Kind of document, by name or key from the policy profile (e.g. Riktlinje)."),
    ),
    Column(
        "title",
        "titel",
        ("titel", "rubrik", "dokumentnamn", "namn", "title", "name"),
        gettext_lazy("Title of the document."),
    ),
    Column(
        "unit",
        "enhetskod",
        (
            "enhetskod",
            "ägande enhet",
            "ägande enhet (kod)",
            "ägarenhet",
            "enhet",
            "owner unit code",
            "owner unit",
            "unit code",
            "unit",
        ),
        gettext_lazy("Code of the unit that owns the document. You must manage it."),
    ),
    Column(
        "record_number",
        "diarienummer",
        ("diarienummer", "diarienr", "dnr", "record number", "reference"),
        gettext_lazy("Record number of the decision (optional)."),
    ),
    Column(
        "decided_on",
        "beslutsdatum",
        ("beslutsdatum", "beslutad", "beslutad den", "datum för beslut", "decision date", "decided on", "decided"),
        gettext_lazy("Date of the decision, YYYY-MM-DD. Not in the future."),
    ),
    Column(
        "decided_by",
        "beslutad av",
        ("beslutad av", "beslutsfattare", "beslutande", "fastställd av", "decided by", "decider"),
        gettext_lazy(
            "Who decided: the name of the body (e.g. Kommunfullmäktige) or of the person, as the policy "
            "profile says for the kind."
        ),
    ),
    Column(
        "in_force_from",
        "gäller från",
        ("gäller från", "gäller fr.o.m.", "giltig från", "i kraft från", "ikraftträdande", "in force from"),
        gettext_lazy("First day the document applies, YYYY-MM-DD (optional: the decision date)."),
    ),
    Column(
        "owner",
        "ägare",
        ("ägare", "dokumentägare", "owner", "document owner"),
        gettext_lazy("The document's owner (optional): name, e-mail address or employee number."),
    ),
    Column(
        "classification",
        "klassning",
        ("klassning", "informationsklass", "classification"),
        gettext_lazy("Public, internal or classified (optional: internal)."),
    ),
    Column(
        "classification_ground",
        "sekretessgrund",
        ("sekretessgrund", "rättslig grund", "legal ground for secrecy", "legal ground"),
        gettext_lazy("Legal ground for secrecy, e.g. OSL 18 kap. 8 §. Required for a classified document."),
    ),
)
REQUIRED = ("kind", "title", "unit", "decided_on", "decided_by")
DATES = ("decided_on", "in_force_from")
MAX_LENGTH = {
    "title": Document._meta.get_field("title").max_length,
    "record_number": Document._meta.get_field("record_number").max_length,
    "classification_ground": Document._meta.get_field("classification_ground").max_length,
}


def imported_text() -> str:
    return _("(Imported from the register; the document itself is kept elsewhere.)")


# ---------------------------------------------------------------------------------------------
# Export


def export_headers() -> list[str]:
    return [
        _("Title"),
        _("Kind"),
        _("Owner unit code"),
        _("Owner"),
        _("Status"),
        _("Record number"),
        _("In force from"),
        _("Next review"),
        _("Classification"),
    ]


def export_rows(documents, group, written=None):
    """One row per document; `documents` should select_related("unit", "owner"). `written` is
    told each classified document written (to log the read)."""
    profile = group.profile
    kinds = {key: tr(spec["name"]) for key, spec in profile.document_kinds.items()}
    for document in documents.iterator(chunk_size=1000):
        if written is not None and document.is_classified:
            written(document)
        yield [
            document.title,
            kinds.get(document.kind, document.kind),
            document.unit.code,
            str(document.owner) if document.owner_id else "",
            document.get_status_display(),
            document.record_number,
            document.in_force_from,
            document.next_review,
            document.get_classification_display(),
        ]


# ---------------------------------------------------------------------------------------------
# Reading the file


NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected typ, titel, enhetskod, beslutsdatum and "
    "beslutad av (found: %(found)s)."
)


def parse_file(data: bytes, filename: str = "", group=None, *, header_only: bool = False) -> Table:
    """Read bytes into a Table (core/tabular.py) with the group's saved column choices. Never
    raises: a file that cannot be read gets `errors`. The format is decided by the content, as
    in every import."""
    return tabular.parse_file(
        data,
        filename,
        COLUMNS,
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
    kind: str = ""
    unit: OrgUnit | None = None
    body: Body | None = None
    person: Person | None = None
    owner: Person | None = None
    classification: str = Classification.INTERNAL

    @property
    def label(self) -> str:
        return self.values.get("title", "")

    @property
    def decider(self) -> str:
        return str(self.body or self.person or "")


@dataclass
class Plan(import_plan.Plan):
    documents: list[Document] = field(default_factory=list, repr=False)


def _key(text: str) -> str:
    return tabular.key(text)


def _kind_keys(profile) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, spec in profile.document_kinds.items():
        keys[_key(key)] = key
        for name in (spec.get("name") or {}).values():
            keys.setdefault(_key(name), key)
    return keys


def _clean(table: Table) -> list[Row]:
    rows = []
    for number, cells in table.rows:
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in table.columns.items()}
        row = Row(number=number, values={})
        for name, value in raw.items():
            if name in DATES:
                row.values[name] = import_plan.read_date(table, row, name, value)
                continue
            text = " ".join(tabular.cell_text(value).split())
            row.values[name] = import_plan.read_text(table, row, name, text, max_length=MAX_LENGTH.get(name))
        import_plan.require(table, row, REQUIRED)
        rows.append(row)
    return rows


def _people(group, texts: set[str]) -> dict[str, list[Person]]:
    """People of the group by full name, e-mail (lower case) or employee number: one query."""
    texts = {t for t in texts if t}
    if not texts:
        return {}
    lowered = {t.lower() for t in texts}
    people = (
        Person.objects.filter(group=group)
        .annotate(_full=Concat("first_name", Value(" "), "last_name"), _email=Lower("email"))
        .annotate(_full_lower=Lower("_full"))
        .filter(Q(_full__in=texts) | Q(_full_lower__in=lowered) | Q(_email__in=lowered) | Q(employee_number__in=texts))
        .select_related("unit")
    )
    found: dict[str, list[Person]] = {}
    for person in people:
        for text in {_key(str(person)), person.email.lower() if person.email else "", person.employee_number}:
            if text:
                found.setdefault(text, []).append(person)
    return found


def _find_person(found: dict[str, list[Person]], text: str) -> tuple[Person | None, int]:
    matches = found.get(_key(text)) or found.get(text.lower()) or found.get(text) or []
    unique = {p.pk: p for p in matches}
    if len(unique) == 1:
        return next(iter(unique.values())), 1
    return None, len(unique)


def _check_decider(row: Row, document: Document, rules: DecisionRules, bodies, people, error) -> None:
    decider = services.decider_for(document)
    name, day = row.values["decided_by"], row.values["decided_on"]
    kind = document.kind_name.lower()
    if decider.body_kind:
        allowed = rules.bodies_for(document)
        names = ", ".join(str(b) for b in allowed) or decider.label
        matches = bodies.get(_key(name), [])
        if len(matches) != 1:
            error(
                "decided_by",
                _("There is no body named “%(value)s”: a %(kind)s is decided by %(names)s.")
                % {"value": name[:80], "kind": kind, "names": names},
            )
            return
        row.body = matches[0]
        if row.body not in allowed:
            error(
                "decided_by",
                _("%(body)s cannot decide this %(kind)s: by the policy it is decided by %(names)s.")
                % {"body": row.body, "kind": kind, "names": names},
            )
        return
    row.person, count = _find_person(people, name)
    if row.person is None:
        if count > 1:
            message = _("Several people match “%(value)s”: write the e-mail address or employee number.")
        else:
            message = _("There is no person “%(value)s”.")
        error("decided_by", message % {"value": name[:80]})
        return
    allowed = rules.people_for(document, day)
    if row.person in allowed:
        return
    if allowed:
        message = _(
            "%(person)s cannot decide this %(kind)s: by the policy it is decided by the %(decider)s, %(names)s."
        )
    else:
        message = _(
            "%(person)s cannot decide this %(kind)s: by the policy it is decided by the %(decider)s, "
            "and %(unit)s has none on %(day)s."
        )
    error(
        "decided_by",
        message
        % {
            "person": row.person,
            "kind": kind,
            "decider": decider.label.lower(),
            "names": ", ".join(str(p) for p in allowed),
            "unit": document.unit,
            "day": day,
        },
    )


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean, per field (core/column_mapping.py): the
    profile's kinds of document and the units the user manages."""
    units = OrgUnit.objects.restrict(user, "manage").filter(group=group).order_by("path")
    return {
        "kind": [(key, tr(spec["name"])) for key, spec in group.profile.document_kinds.items()],
        "unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")],
    }


def build_plan(table: Table, group, user, *, skip_registered: bool = False) -> Plan:
    """Check every row; nothing is written. `skip_registered`: a document already registered is
    skipped, not refused."""
    plan = Plan.for_table(table, skip_registered=skip_registered)
    if table.errors:
        return plan
    profile = group.profile
    rows = _clean(table)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    today = timezone.localdate()
    access = get_access(user)
    kinds = _kind_keys(profile)
    classifications = tabular.classification_keys()

    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(group=group)}
    managed = set(OrgUnit.objects.restrict(user, "manage").filter(group=group).values_list("pk", flat=True))
    bodies: dict[str, list[Body]] = {}
    for body in Body.objects.filter(group=group):
        bodies.setdefault(_key(body.name), []).append(body)
    existing_qs = Document.objects.filter(group=group).exclude(status__in=(Status.REPLACED, Status.REPEALED))
    existing = {
        (kind, _key(title), unit_id) for kind, title, unit_id in existing_qs.values_list("kind", "title", "unit_id")
    }
    people = _people(group, {r.values.get("decided_by", "") for r in rows} | {r.values.get("owner", "") for r in rows})
    visible_people = set(
        Person.objects.restrict(user)
        .filter(pk__in=[p.pk for matches in people.values() for p in matches])
        .values_list("pk", flat=True)
    )
    roles = {spec.get("decided_by_role") for spec in profile.document_kinds.values()} - {None}
    rules = DecisionRules(group, roles)

    in_file: dict[tuple, Row] = {}
    for row in rows:
        v = row.values

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            import_plan.add_error(table, row, name, message, unknown=unknown)

        # Kind.
        if v.get("kind"):
            row.kind = kinds.get(_key(v["kind"]), "")
            if not row.kind:
                known = ", ".join(tr(spec["name"]) for spec in profile.document_kinds.values())
                message = _("Unknown kind “%(value)s” (known: %(known)s).") % {"value": v["kind"], "known": known}
                error("kind", message, unknown=v["kind"])
        # Owner unit and the user's right to manage it.
        if v.get("unit"):
            row.unit = units.get(v["unit"].casefold())
            if row.unit is None:
                message = _("There is no unit with the code %(code)s.") % {"code": v["unit"]}
                error("unit", message, unknown=v["unit"])
            elif row.unit.pk not in managed and not access.is_superuser:
                error("unit", _("You do not manage the unit %(code)s.") % {"code": row.unit.code})
                row.unit = None
        # Dates.
        decided_on, in_force_from = v.get("decided_on"), v.get("in_force_from")
        if decided_on and decided_on > today:
            error("decided_on", _("Record a decision once it has been taken: the date is in the future."))
        if decided_on and in_force_from and in_force_from < decided_on:
            error("in_force_from", _("A document cannot come into force before it is decided."))
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
                error("classification", _("You may not register classified documents for this unit."))
        # Owner.
        if v.get("owner"):
            row.owner, count = _find_person(people, v["owner"])
            if row.owner is not None and row.owner.pk not in visible_people:
                row.owner, count = None, 0
            if row.owner is None:
                if count > 1:
                    error(
                        "owner",
                        _("Several people match “%(value)s”: write the e-mail address or employee number.")
                        % {"value": v["owner"][:80]},
                    )
                else:
                    error("owner", _("There is no person “%(value)s”.") % {"value": v["owner"][:80]})
        # Who decided, by the profile's rule for the kind (the same rule and words as a decision
        # recorded by hand, services.check_decider).
        if row.kind and row.unit is not None and v.get("decided_by") and decided_on:
            _check_decider(row, Document(group=group, kind=row.kind, unit=row.unit), rules, bodies, people, error)
        # The same document twice.
        if row.kind and row.unit is not None and v.get("title"):
            identity = (row.kind, _key(v["title"]), row.unit.pk)
            if identity in existing:
                message = _("A document of this kind with this title is already registered for the unit.")
                import_plan.already_registered(table, row, "title", message, plan)
            elif identity in in_file:
                error("title", _("The same document is also on row %(row)s.") % {"row": in_file[identity].number})
            else:
                in_file[identity] = row

    plan.settle()
    return plan


# ---------------------------------------------------------------------------------------------
# Writing


def apply_plan(plan: Plan, group, user) -> list[Document]:
    """Write an accepted plan. Call inside transaction.atomic(), with a plan built in it."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = plan.change_reason()
    today = timezone.localdate()
    text = imported_text()
    documents = []
    for row in plan.added:
        v = row.values
        decided_on = v["decided_on"]
        in_force_from = v.get("in_force_from") or decided_on
        document = Document(
            group=group,
            kind=row.kind,
            title=v["title"],
            unit=row.unit,
            owner=row.owner,
            record_number=v.get("record_number", ""),
            classification=row.classification,
            classification_ground=v.get("classification_ground", "")
            if row.classification == Classification.CLASSIFIED
            else "",
            status=Status.IN_FORCE if in_force_from <= today else Status.DECIDED,
            in_force_from=in_force_from,
        )
        document.next_review = services.next_review_date(document, in_force_from)
        document._change_reason = reason
        document._history_user = user
        document.save()
        version = DocumentVersion.objects.create(document=document, number=1, text=text, note=reason, created_by=user)
        decision = Decision(
            document=document,
            version=version,
            body=row.body,
            person=row.person,
            date=decided_on,
            record_number=v.get("record_number", ""),
            in_force_from=in_force_from,
            recorded_by=user,
        )
        decision._change_reason = reason
        decision._history_user = user
        decision.save()
        documents.append(document)
    plan.applied = True
    plan.documents = documents
    return documents


def import_file(data: bytes, filename: str, group, user, *, skip_registered: bool = False) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user, skip_registered=skip_registered),
        lambda plan: apply_plan(plan, group, user),
    )


def template_rows(group) -> tuple[list[str], list[list[Any]]]:
    """A file to fill in: the Swedish column names and an example row from the group's profile."""
    headers = [c.header for c in COLUMNS]
    profile = group.profile
    kind = next((k for k, spec in profile.document_kinds.items() if spec.get("decided_by_body")), None)
    body = (
        Body.objects.filter(group=group, kind=profile.document_kinds[kind]["decided_by_body"]).first() if kind else None
    )
    root = group.root
    if kind is None or body is None or root is None:
        return headers, []
    example = [
        tr(profile.document_kinds[kind]["name"]),
        _("Example: guidelines for security work"),
        root.code,
        "2023/88",
        datetime.date(2023, 6, 12),
        body.name,
        datetime.date(2023, 7, 1),
        "",
        str(Classification.PUBLIC.label),
        "",
    ]
    return headers, [example]

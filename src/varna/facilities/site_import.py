"""Import of sites and buildings from a property register's file (XLSX or CSV): one row per
building, or per site when the building columns are empty, as a property register or a
facility-management system exports its objects.

The same steps as every import (core/tabular.py, core/import_plan.py, core/import_views.py):

``build_plan(table, group, user) -> Plan``
    Each row: a site by its code (case-insensitive). A new site needs a name and an owner unit
    the user may change in (as for the site form); an existing one is changed where the file
    gives another value (an empty cell keeps what is registered), field by field, and only if
    the user may change it: one outside the user's scope, or classified and the user not
    cleared, is refused without naming it. A building is matched by its code on the site. The
    same site on several rows must have the same values; a row whose site and building are
    registered exactly as in the file is unchanged, so the whole register can be imported again
    each time it is exported.
``import_file(data, filename, group, user) -> Plan``
    Checked again and written in one transaction, with history naming the file.

The number of queries does not grow with the file.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.import_plan import ADDED, CHANGED, REFUSED, UNCHANGED, Change, RowError
from varna.core.tabular import Column, Table
from varna.organisation.models import MunicipalGroup, OrgUnit

from .models import POSTAL_CODE, Building, Site, SiteKind, normalise_postal_code

IMPORT_KIND = "sites"
"""The import's name for its saved column choices (core/column_mapping.py)."""

COLUMNS = (
    Column(
        "site_code",
        "anläggningskod",
        (
            "anläggningskod",
            "anläggningsnummer",
            "anläggning kod",
            "objektnummer",
            "objektnr",
            "objekt",
            "objekt-id",
            "objektkod",
            "site code",
            "site id",
        ),
        gettext_lazy(
            "The site's code, unique in the municipal group (e.g. SVEG-SK); an existing site is matched by it."
        ),
    ),
    Column(
        "site_name",
        "anläggningsnamn",
        ("anläggningsnamn", "anläggning", "objektnamn", "benämning", "site name", "site"),
        gettext_lazy("The site's name (required for a new site)."),
    ),
    Column(
        "kind",
        "typ",
        ("typ", "anläggningstyp", "objekttyp", "kategori", "kind", "type", "site kind"),
        gettext_lazy("The kind of site, e.g. Skola, Förskola, Vattenverk (optional; Other for a new site)."),
    ),
    Column(
        "unit",
        "ägarenhet",
        ("ägarenhet", "enhetskod", "enhet", "ansvarig enhet", "förvaltning", "owner unit", "unit code", "unit"),
        gettext_lazy("The code of the unit responsible for the site (required for a new site)."),
    ),
    Column(
        "address",
        "gatuadress",
        ("gatuadress", "adress", "besöksadress", "street address", "address"),
        gettext_lazy("Street address (optional)."),
    ),
    Column(
        "postal_code",
        "postnummer",
        ("postnummer", "postnr", "postal code", "zip code", "zip"),
        gettext_lazy("Five digits, e.g. 842 32 (optional)."),
    ),
    Column("town", "ort", ("ort", "postort", "town", "city"), gettext_lazy("Town (optional).")),
    Column(
        "property_designation",
        "fastighetsbeteckning",
        ("fastighetsbeteckning", "fastighet", "fastighetsbet", "property designation", "property"),
        gettext_lazy("As in the property register, e.g. Sveg 3:112 (optional)."),
    ),
    Column(
        "latitude",
        "latitud",
        ("latitud", "lat", "latitude"),
        gettext_lazy("Decimal degrees (WGS 84), e.g. 62,0345; with the longitude or not at all (optional)."),
    ),
    Column(
        "longitude",
        "longitud",
        ("longitud", "long", "lon", "lng", "longitude"),
        gettext_lazy("Decimal degrees (WGS 84), e.g. 14,3586; with the latitude or not at all (optional)."),
    ),
    Column(
        "building_code",
        "byggnadskod",
        (
            "byggnadskod",
            "byggnadsnummer",
            "byggnadsnr",
            "byggnads-id",
            "husnummer",
            "building code",
            "building number",
            "building no",
        ),
        gettext_lazy("The building's code, unique on the site (e.g. A). Empty for a row of the site only."),
    ),
    Column(
        "building_name",
        "byggnadsnamn",
        ("byggnadsnamn", "byggnad", "hus", "building name", "building"),
        gettext_lazy("The building's name (required for a new building)."),
    ),
    Column(
        "year_built",
        "byggår",
        ("byggår", "byggnadsår", "uppförd", "year built", "built"),
        gettext_lazy("The year the building was built, four digits (optional)."),
    ),
    Column(
        "floor_area",
        "bruttoarea",
        ("bruttoarea", "bta", "area", "yta", "golvarea", "floor area", "gross floor area"),
        gettext_lazy("Gross floor area in m², e.g. 1 250,5 (optional)."),
    ),
)
REQUIRED = ("site_code",)
NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected anläggningskod, anläggningsnamn and ägarenhet (found: %(found)s)."
)
SITE_FIELDS = ("site_name", "kind", "unit", "address", "postal_code", "town", "property_designation")
COORDINATES = ("latitude", "longitude")
BUILDING_FIELDS = ("building_name", "year_built", "floor_area")
NUMBERS = ("latitude", "longitude", "year_built", "floor_area")
MODEL_FIELD = {"site_name": "name", "building_name": "name"}
"""The model field of a column, where its name differs."""

KIND_WORDS = {
    "skola": SiteKind.SCHOOL,
    "grundskola": SiteKind.SCHOOL,
    "gymnasium": SiteKind.SCHOOL,
    "gymnasieskola": SiteKind.SCHOOL,
    "förskola": SiteKind.PRESCHOOL,
    "äldreboende": SiteKind.CARE_HOME,
    "vård- och omsorgsboende": SiteKind.CARE_HOME,
    "särskilt boende": SiteKind.CARE_HOME,
    "kontor": SiteKind.OFFICE,
    "förvaltningsbyggnad": SiteKind.OFFICE,
    "förråd": SiteKind.DEPOT,
    "depå": SiteKind.DEPOT,
    "vattenverk": SiteKind.WATER_WORKS,
    "reningsverk": SiteKind.SEWAGE_WORKS,
    "avloppsreningsverk": SiteKind.SEWAGE_WORKS,
    "idrottshall": SiteKind.SPORTS,
    "sporthall": SiteKind.SPORTS,
    "idrottsanläggning": SiteKind.SPORTS,
    "bibliotek": SiteKind.CULTURE,
    "kulturhus": SiteKind.CULTURE,
    "övrigt": SiteKind.OTHER,
}


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    site_first: bool = False  # the first row of its site in the file: it shows the site's changes
    building: Building | None = None
    building_new: bool = False
    changes: list[Change] = field(default_factory=list)  # the site's (on its first row) and the building's
    building_changes: dict[str, Any] = field(default_factory=dict)
    site_plan: "SitePlan | None" = None

    @property
    def label(self) -> str:
        """The row as the file names it (never a registered name the user may not see)."""
        v = self.values
        site = " ".join(str(v.get(n) or "") for n in ("site_code", "site_name")).strip()
        building = str(v.get("building_code") or "")
        return f"{site} / {building}" if site and building else site or building


@dataclass
class SitePlan:
    """What the file does with one site: the values its rows give (merged) and the first row."""

    key: str
    first: Row
    site: Site | None  # the registered site, if any
    values: dict[str, Any] = field(default_factory=dict)  # field → value, as the file gives it
    given_on: dict[str, int] = field(default_factory=dict)  # field → the row that gave it first
    site_only_row: int | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass
class Plan(import_plan.Plan):
    statuses = (ADDED, CHANGED, UNCHANGED, REFUSED)
    sites: list[SitePlan] = field(default_factory=list)
    sites_written: int = 0
    buildings_written: int = 0


def parse_file(data: bytes, filename: str = "", group=None, *, header_only: bool = False) -> Table:
    """Read bytes into a Table with the group's saved column choices. Never raises."""
    return tabular.parse_file(
        data,
        filename,
        COLUMNS,
        REQUIRED,
        NO_KNOWN_COLUMNS,
        mapping=column_mapping.saved(group, IMPORT_KIND),
        header_only=header_only,
    )


def kind_keys() -> dict[str, str]:
    """A kind as a register writes it (the key, its Swedish or English name, a common word) →
    the SiteKind value."""
    keys = {tabular.key(value): value for value in SiteKind.values}
    for language in ("sv", "en"):
        with translation.override(language):
            for value, label in SiteKind.choices:
                keys.setdefault(tabular.key(str(label)), value)
    for word, value in KIND_WORDS.items():
        keys.setdefault(tabular.key(word), value)
    return keys


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean (core/column_mapping.py): the kinds of site
    and the units the user may change in."""
    units = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("path")
    return {
        "kind": [(value, str(label)) for value, label in SiteKind.choices],
        "unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")],
    }


# Reading cells ------------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"\s*(?:m²|m2|kvm|°)$", re.IGNORECASE)


def read_decimal(value: Any) -> Decimal | None:
    """A number of the register (core/tabular.cell_decimal), a trailing m² or ° dropped."""
    return tabular.cell_decimal(value, _UNIT_SUFFIX)


def _read_number(table: Table, row: Row, name: str, value: Any) -> Decimal | None:
    try:
        return read_decimal(value)
    except ValueError:
        import_plan.add_error(
            table, row, name, _("“%(value)s” is not a number.") % {"value": tabular.cell_text(value)[:40]}
        )
        return None


def _check_number(table: Table, row: Row, name: str, number: Decimal | None) -> Decimal | int | None:
    """The number as the model keeps it, with the model's error when it is out of range."""
    if number is None:
        return None

    def error(message):
        import_plan.add_error(table, row, name, message)

    if name == "latitude":
        if not -90 <= number <= 90:
            return error(_("A latitude is between -90 and 90 degrees."))
        return number.quantize(Decimal("0.000001"), ROUND_HALF_UP)
    if name == "longitude":
        if not -180 <= number <= 180:
            return error(_("A longitude is between -180 and 180 degrees."))
        return number.quantize(Decimal("0.000001"), ROUND_HALF_UP)
    if name == "year_built":
        if number != number.to_integral_value() or not 1000 <= number <= 2200:
            return error(_("Give the year with four digits, e.g. 1962."))
        if number > timezone.localdate().year + 5:
            return error(_("The year built cannot be that far in the future."))
        return int(number)
    # floor_area
    if number < 0:
        return error(_("An area cannot be negative."))
    if number >= Decimal("100000000"):
        return error(_("The value is too large."))
    return number.quantize(Decimal("0.1"), ROUND_HALF_UP)


def _max_length(name: str) -> int:
    if name in ("site_code", "site_name", "building_code", "building_name"):
        model = Site if name.startswith("site") else Building
        return model._meta.get_field("code" if name.endswith("code") else "name").max_length
    if name in ("kind", "unit"):
        return 200  # a word to look up
    return Site._meta.get_field(name).max_length


def _clean(table: Table) -> list[Row]:
    rows = []
    for number, cells in table.rows:
        row = Row(number=number, values={})
        for name, index in table.columns.items():
            value = cells[index] if index < len(cells) else None
            if name in NUMBERS:
                row.values[name] = _check_number(table, row, name, _read_number(table, row, name, value))
                continue
            text = " ".join(tabular.cell_text(value).split())
            text = import_plan.read_text(table, row, name, text, max_length=_max_length(name))
            if name == "postal_code" and text:
                if not POSTAL_CODE.match(text):
                    import_plan.add_error(table, row, name, _("Write the postal code as five digits, e.g. 842 32."))
                text = normalise_postal_code(text)
            row.values[name] = text
        import_plan.require(table, row, REQUIRED)
        if (row.values.get("latitude") is None) != (row.values.get("longitude") is None) and not any(
            e.field in COORDINATES for e in row.errors
        ):
            missing = "longitude" if row.values.get("longitude") is None else "latitude"
            import_plan.add_error(table, row, missing, _("Give both latitude and longitude, or neither."))
        if not row.values.get("building_code") and any(row.values.get(n) not in (None, "") for n in BUILDING_FIELDS):
            import_plan.add_error(table, row, "building_code", _("A building's values need its code."))
        rows.append(row)
    return rows


# The plan -----------------------------------------------------------------------------------


def _display(name: str, value) -> str:
    if value is None:
        return ""
    if name == "kind":
        return str(SiteKind(value).label) if value in SiteKind.values else str(value)
    if isinstance(value, OrgUnit):
        return value.code
    return str(value)


def _label(name: str) -> str:
    model = Building if name in BUILDING_FIELDS else Site
    return str(model._meta.get_field(MODEL_FIELD.get(name, name)).verbose_name)


def build_plan(table: Table, group, user, *, lock: bool = False) -> Plan:
    """Check every row; nothing is written. The queries do not grow with the file."""
    plan = Plan.for_table(table)
    if table.errors:
        return plan
    if lock:
        list(MunicipalGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True))
    rows = _clean(table)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    kinds = kind_keys()
    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(group=group)}
    may_change = set(OrgUnit.objects.restrict(user, "change").filter(group=group).values_list("pk", flat=True))
    codes = {r.values["site_code"].lower() for r in rows if r.values.get("site_code")}
    registered = {
        s.code.lower(): s
        for s in Site.objects.annotate(code_key=Lower("code")).filter(group=group, code_key__in=codes).order_by("pk")
    }
    changeable = set(
        Site.objects.restrict(user, "change")
        .filter(pk__in=[s.pk for s in registered.values()])
        .values_list("pk", flat=True)
    )
    buildings: dict[tuple[int, str], Building] = {}
    for building in Building.objects.filter(site__in=list(changeable)).order_by("pk"):
        buildings.setdefault((building.site_id, building.code.lower()), building)
    changeable_buildings = set(
        Building.objects.restrict(user, "change").filter(site__in=list(changeable)).values_list("pk", flat=True)
    )

    sites: dict[str, SitePlan] = {}
    in_file: dict[tuple[str, str], int] = {}
    for row in rows:
        v = row.values

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            import_plan.add_error(table, row, name, message, unknown=unknown)

        code = v.get("site_code") or ""
        if not code:
            continue
        site_key = code.lower()
        # The row's own site values, read.
        given: dict[str, Any] = {}
        for name in (*SITE_FIELDS, *COORDINATES):
            value = v.get(name)
            if value in (None, ""):
                continue
            if name == "kind":
                kind = kinds.get(tabular.key(value))
                if kind is None:
                    known = ", ".join(str(label) for label in SiteKind.labels)
                    message = _("Unknown kind “%(value)s” (known: %(known)s).") % {"value": value[:80], "known": known}
                    error("kind", message, unknown=value)
                    continue
                value = kind
            elif name == "unit":
                unit = units.get(value.casefold())
                if unit is None:
                    message = _("There is no unit with the code %(code)s.") % {"code": value[:80]}
                    error("unit", message, unknown=value)
                    continue
                if unit.pk not in may_change and not user.is_superuser:
                    error("unit", _("You may not change sites of the unit %(code)s.") % {"code": unit.code})
                    continue
                value = unit
            given[name] = value

        existing = registered.get(site_key)
        if existing is not None and existing.pk not in changeable:
            # Outside the scope, or classified and the user not cleared: not named.
            error("site_code", _("No site you may change has the code %(code)s.") % {"code": code[:60]})
            continue
        sp = sites.get(site_key)
        if sp is None:
            sp = sites[site_key] = SitePlan(site_key, row, existing)
            row.site_first = True
        for name, value in given.items():
            if name in sp.values and sp.values[name] != value:
                error(
                    name,
                    _("The site %(code)s has another value in this column on row %(row)s.")
                    % {"code": code[:60], "row": sp.given_on[name]},
                )
            elif name not in sp.values:
                sp.values[name] = value
                sp.given_on[name] = row.number

        building_code = v.get("building_code") or ""
        if not building_code:
            if sp.site_only_row is not None:
                error("site_code", _("The same site is also on row %(row)s.") % {"row": sp.site_only_row})
            else:
                sp.site_only_row = row.number
        else:
            identity = (site_key, building_code.lower())
            if identity in in_file:
                error("building_code", _("The same building is also on row %(row)s.") % {"row": in_file[identity]})
            else:
                in_file[identity] = row.number
            building = buildings.get((existing.pk, building_code.lower())) if existing is not None else None
            if building is not None and building.pk not in changeable_buildings:
                error(
                    "building_code",
                    _("No building you may change has the code %(code)s on this site.") % {"code": building_code[:60]},
                )
            elif building is None:
                row.building_new = True
                if not v.get("building_name"):
                    error("building_name", _("A value is required."))
            else:
                row.building = building
                for name in BUILDING_FIELDS:
                    value = v.get(name)
                    attribute = MODEL_FIELD.get(name, name)
                    if value not in (None, "") and getattr(building, attribute) != value:
                        row.building_changes[attribute] = value
                        row.changes.append(
                            Change(_label(name), _display(name, getattr(building, attribute)), _display(name, value))
                        )
        row.site_plan = sp

    # Each site: new (a name and a unit needed) or changed field by field.
    unit_of = {u.pk: u for u in units.values()}
    for sp in sites.values():
        plan.sites.append(sp)
        if sp.site is None:
            for name in ("site_name", "unit"):
                if name not in sp.values and not any(e.field == name for e in sp.first.errors):
                    import_plan.add_error(table, sp.first, name, _("A value is required for a new site."))
            continue
        for name in (*SITE_FIELDS, *COORDINATES):
            if name not in sp.values:
                continue
            attribute = MODEL_FIELD.get(name, name)
            before = getattr(sp.site, "unit_id" if name == "unit" else attribute)
            after = sp.values[name].pk if name == "unit" else sp.values[name]
            if before != after:
                shown_before = unit_of.get(before) if name == "unit" else before
                sp.changes.append(Change(_label(name), _display(name, shown_before), _display(name, sp.values[name])))
        sp.first.changes[:0] = sp.changes

    # The rows' statuses (a refused row refuses the whole file: all or nothing).
    for row in rows:
        sp = row.site_plan
        if row.errors or sp is None:
            continue
        if sp.site is None or row.building_new:
            row.status = ADDED
        elif sp.changes or row.building_changes:
            row.status = CHANGED
        else:
            row.status = UNCHANGED
    plan.settle()
    return plan


def apply_plan(plan: Plan, group, user) -> tuple[int, int]:
    """Write an accepted plan. Call inside transaction.atomic(), with a plan built in it."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = plan.change_reason()
    now = timezone.now()
    accepted = [r for r in plan.rows if r.status in (ADDED, CHANGED)]
    used = {id(r.site_plan) for r in accepted}

    new_sites, changed_sites, site_fields = [], [], {"version", "updated_at"}
    for sp in plan.sites:
        if id(sp) not in used:
            continue
        v = sp.values
        if sp.site is None:
            sp.site = Site(
                group=group,
                code=sp.first.values["site_code"],
                name=v["site_name"],
                kind=v.get("kind", SiteKind.OTHER),
                unit=v["unit"],
                address=v.get("address", ""),
                postal_code=v.get("postal_code", ""),
                town=v.get("town", ""),
                property_designation=v.get("property_designation", ""),
                latitude=v.get("latitude"),
                longitude=v.get("longitude"),
            )
            new_sites.append(sp.site)
        elif sp.changes:
            site = sp.site
            for name, value in v.items():
                attribute = MODEL_FIELD.get(name, name)
                if getattr(site, attribute) != value:
                    setattr(site, attribute, value)
                    site_fields.add(attribute)
            site.version += 1  # forms opened before the import are now stale, as after any edit
            site.updated_at = now
            changed_sites.append(site)
    if new_sites:
        bulk_create_with_history(new_sites, Site, default_user=user, default_change_reason=reason)
    if changed_sites:
        bulk_update_with_history(
            changed_sites, Site, fields=sorted(site_fields), default_user=user, default_change_reason=reason
        )

    new_buildings, changed_buildings, building_fields = [], [], {"version", "updated_at"}
    for row in accepted:
        v = row.values
        if row.building_new:
            new_buildings.append(
                Building(
                    site=row.site_plan.site,
                    code=v["building_code"],
                    name=v["building_name"],
                    year_built=v.get("year_built"),
                    floor_area=v.get("floor_area"),
                )
            )
        elif row.building_changes:
            building = row.building
            for attribute, value in row.building_changes.items():
                setattr(building, attribute, value)
                building_fields.add(attribute)
            building.version += 1
            building.updated_at = now
            changed_buildings.append(building)
    if new_buildings:
        bulk_create_with_history(new_buildings, Building, default_user=user, default_change_reason=reason)
    if changed_buildings:
        bulk_update_with_history(
            changed_buildings,
            Building,
            fields=sorted(building_fields),
            default_user=user,
            default_change_reason=reason,
        )
    plan.sites_written = len(new_sites) + len(changed_sites)
    plan.buildings_written = len(new_buildings) + len(changed_buildings)
    plan.applied = True
    return plan.sites_written, plan.buildings_written


def import_file(data: bytes, filename: str, group, user) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user, lock=True),
        lambda plan: apply_plan(plan, group, user),
    )


def template_rows(group, user) -> tuple[list[str], list[list[Any]]]:
    """A file to fill in: the Swedish column names and an example row, owned by a unit the user
    may change in."""
    headers = [c.header for c in COLUMNS]
    unit = OrgUnit.objects.restrict(user, "change").filter(group=group).order_by("-depth", "path").first()
    example = [
        "SVEG-SK",
        "Svegs skola",
        "Skola",
        unit.code if unit else "",
        "Skolgatan 4",
        "842 32",
        "Sveg",
        "Sveg 3:112",
        62.0345,
        14.3586,
        "A",
        "Huvudbyggnad",
        1962,
        4200,
    ]
    return headers, [example]

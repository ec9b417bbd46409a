"""The facilities area's section of a profile's demo (`demo.facilities`), declared in area.py:
the demo's sites and their buildings."""

from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation.schema import F, Int, List, Map, Str

from .models import SiteKind

DEGREES = r"-?\d{1,3}(\.\d{1,6})?"
CLASSIFICATIONS = tuple(Classification.values)

BUILDING = Map(
    {
        "name": F(Str()),
        "code": F(Str()),
        "year_built": F(Int(1000, 2200), required=False),
        "floor_area": F(Int(0, 10**7), required=False),
        "address": F(Str(), required=False, default=""),
        "notes": F(Str(), required=False, default=""),
        "classification": F(Str(choices=CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value),
        "classification_ground": F(Str(), required=False, default=""),
    }
)

SITE = Map(
    {
        "name": F(Str()),
        "code": F(Str()),
        "kind": F(Str(choices=tuple(SiteKind.values))),
        # The owner unit's code: its roles see and change the site.
        "unit": F(Str()),
        "using_units": F(List(Str()), required=False, default=[]),
        "address": F(Str(), required=False, default=""),
        "postal_code": F(Str(pattern=r"\d{3} ?\d{2}"), required=False, default=""),
        "town": F(Str(), required=False, default=""),
        "property_designation": F(Str(), required=False, default=""),
        "latitude": F(Str(pattern=DEGREES), required=False),
        "longitude": F(Str(pattern=DEGREES), required=False),
        # A person of the demo, by first and last name.
        "contact": F(Str(), required=False),
        "notes": F(Str(), required=False, default=""),
        "classification": F(Str(choices=CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value),
        "classification_ground": F(Str(), required=False, default=""),
        "buildings": F(List(BUILDING), required=False, default=[]),
    }
)

DEMO_FACILITIES = F(Map({"sites": F(List(SITE), required=False, default=[])}), required=False)

DEMO_SECTIONS = {"facilities": DEMO_FACILITIES}


def check_demo_facilities(data, ctx, ref, known) -> None:
    """The demo's sites belong to, and are used by, the demo's units; their contact is one of
    its people; codes are unique (a site's in the group, a building's on its site); a classified
    record states its legal ground; coordinates are within range."""
    demo = (data.get("demo") or {}).get("facilities")
    if not demo:
        return
    codes = set()
    for i, site in enumerate(demo["sites"]):
        path = f"demo.facilities.sites[{i}]"
        ref(site, "unit", known["units"], path)
        ref(site, "contact", known["people"], path)
        for code in site.get("using_units") or []:
            if code not in known["units"]:
                ctx.error(
                    site.line_of("using_units"),
                    f"{path}.using_units",
                    _("'%(value)s' is not declared") % {"value": code},
                )
        if site.get("code") in codes:
            ctx.error(site.line_of("code"), f"{path}.code", _("'%(key)s' is declared twice") % {"key": site["code"]})
        codes.add(site.get("code"))
        _check_classified(ctx, site, path)
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = site.get(name)
            if value is not None and abs(float(value)) > limit:
                ctx.error(
                    site.line_of(name),
                    f"{path}.{name}",
                    _("%(value)s is outside %(min)s–%(max)s") % {"value": value, "min": -limit, "max": limit},
                )
        if (site.get("latitude") is None) != (site.get("longitude") is None):
            ctx.error(site.line, path, _("give both latitude and longitude, or neither"))
        building_codes = set()
        for j, building in enumerate(site.get("buildings") or []):
            where = f"{path}.buildings[{j}]"
            if building.get("code") in building_codes:
                ctx.error(
                    building.line_of("code"),
                    f"{where}.code",
                    _("'%(key)s' is declared twice") % {"key": building["code"]},
                )
            building_codes.add(building.get("code"))
            _check_classified(ctx, building, where)


def _check_classified(ctx, item, path) -> None:
    if (
        item.get("classification") == Classification.CLASSIFIED
        and not (item.get("classification_ground") or "").strip()
    ):
        ctx.error(item.line, f"{path}.classification_ground", _("a classified record needs its legal ground"))

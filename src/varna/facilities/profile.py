"""The facilities area's sections of a profile, declared in area.py: its own (`facilities:`,
the camera surveillance register's settings) and the demo's (`demo.facilities`): the demo's sites
and their buildings, and its camera surveillance."""

from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation.schema import Bool, Date, F, Int, List, Map, Str

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

# `facilities:` — whether the public list of the municipality's camera surveillance is open
# (camera_public_views.py), and how old an interest-balancing assessment may be and stay current.
FACILITIES = F(
    Map(
        {
            "public_camera_list": F(Bool(), required=False, default=False),
            "camera_review_months": F(Int(1, 60), required=False, default=12),
        }
    ),
    required=False,
    default={},
)

PROFILE_SECTIONS = {"facilities": FACILITIES}

CAMERA = Map(
    {
        "identifier": F(Str()),
        "placement": F(Str()),
        "retention_days": F(Int(0, 3650), required=False),
        "retention_reason": F(Str(), required=False, default=""),
    }
)

ASSESSMENT = Map(
    {
        # Months before the demo's load, so the demo ages honestly: 14 is no longer current.
        "months_ago": F(Int(0, 120)),
        "need": F(Str()),
        "intrusion": F(Str()),
        "conclusion": F(Str(choices=("allowed", "conditions", "not_allowed"))),
        "conditions": F(Str(), required=False, default=""),
        # A person of the demo, by first and last name.
        "decided_by": F(Str()),
    }
)

PURPOSES = ("crime", "order", "accidents", "other")

SURVEILLANCE = Map(
    {
        "name": F(Str()),
        "code": F(Str()),
        # The site's code (one of demo.facilities.sites), and optionally a building's code on it.
        "site": F(Str()),
        "building": F(Str(), required=False),
        "purposes": F(List(Str(choices=PURPOSES), min_items=1)),
        "purpose": F(Str(), required=False, default=""),
        "area_covered": F(Str()),
        "live_view": F(Bool(), required=False, default=False),
        "recording": F(Bool(), required=False, default=True),
        "sound_recorded": F(Bool(), required=False, default=False),
        "masking": F(Bool(), required=False, default=False),
        "reduced_resolution": F(Bool(), required=False, default=False),
        "retention_days": F(Int(0, 3650)),
        "retention_reason": F(Str(), required=False, default=""),
        "viewer_roles": F(Str(), required=False, default=""),
        "signage_text": F(Str(), required=False, default=""),
        "signage_places": F(Str(), required=False, default=""),
        "signs_up": F(Bool(), required=False, default=False),
        "responsible": F(Str(), required=False),
        "started": F(Date(), required=False),
        "ended": F(Date(), required=False),
        "dpia_required": F(Bool(), required=False, default=False),
        "classification": F(Str(choices=CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value),
        "classification_ground": F(Str(), required=False, default=""),
        "cameras": F(List(CAMERA), required=False, default=[]),
        "assessments": F(List(ASSESSMENT), required=False, default=[]),
    }
)

DEMO_FACILITIES = F(
    Map(
        {
            "sites": F(List(SITE), required=False, default=[]),
            "camera_surveillance": F(List(SURVEILLANCE), required=False, default=[]),
        }
    ),
    required=False,
)

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
    _check_cameras(ctx, demo, ref, known)


def _check_cameras(ctx, demo, ref, known) -> None:
    """The demo's surveillances are on its sites (and buildings), by people of the demo."""
    buildings = {s.get("code"): {b.get("code") for b in s.get("buildings") or []} for s in demo["sites"]}
    codes = set()
    for i, item in enumerate(demo.get("camera_surveillance") or []):
        path = f"demo.facilities.camera_surveillance[{i}]"
        if item.get("site") not in buildings:
            ctx.error(item.line_of("site"), f"{path}.site", _("'%(value)s' is not declared") % {"value": item["site"]})
        elif item.get("building") is not None and item["building"] not in buildings[item["site"]]:
            ctx.error(
                item.line_of("building"),
                f"{path}.building",
                _("'%(value)s' is not declared") % {"value": item["building"]},
            )
        ref(item, "responsible", known["people"], path)
        for j, assessment in enumerate(item.get("assessments") or []):
            ref(assessment, "decided_by", known["people"], f"{path}.assessments[{j}]")
        if item.get("code") in codes:
            ctx.error(item.line_of("code"), f"{path}.code", _("'%(key)s' is declared twice") % {"key": item["code"]})
        codes.add(item.get("code"))
        _check_classified(ctx, item, path)


def _check_classified(ctx, item, path) -> None:
    if (
        item.get("classification") == Classification.CLASSIFIED
        and not (item.get("classification_ground") or "").strip()
    ):
        ctx.error(item.line, f"{path}.classification_ground", _("a classified record needs its legal ground"))

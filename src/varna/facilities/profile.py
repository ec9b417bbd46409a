"""The facilities area's sections of a profile, declared in area.py: its own (`facilities:`,
the camera surveillance register's settings) and the demo's (`demo.facilities`): the demo's sites
and their buildings and key systems, and (optional) their alarms, access control systems and
camera surveillance."""

from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation.schema import Bool, Date, F, Int, List, Map, Str

from .models import AccessReview, AlarmEvent, AlarmKind, KeyKind, KeySystemKind, SiteKind

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

KEY = Map(
    {
        "number": F(Str()),
        "kind": F(Str(choices=tuple(KeyKind.values)), required=False, default=KeyKind.KEY.value),
        "series": F(Str(), required=False, default=""),
        "master": F(Bool(), required=False, default=False),
        # The codes of the system's locks it opens.
        "opens": F(List(Str()), required=False, default=[]),
        "storage": F(Str(), required=False, default=""),
        # Handed out to a person of the demo (first and last name), on a date; a receipt
        # confirmed in Värna only where the demo says so.
        "holder": F(Str(), required=False),
        "handed_out_on": F(Date(), required=False),
        "confirmed": F(Bool(), required=False, default=False),
    }
)

KEY_SYSTEM = Map(
    {
        "name": F(Str()),
        "code": F(Str()),
        "kind": F(Str(choices=tuple(KeySystemKind.values)), required=False, default=KeySystemKind.MECHANICAL.value),
        "supplier": F(Str(), required=False, default=""),
        "administrator": F(Str(), required=False),
        "master_key_storage": F(Str(), required=False, default=""),
        "classification": F(Str(choices=CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value),
        "classification_ground": F(Str(), required=False, default=""),
        # Locks by code, name and (optionally) the code of the site's building they are in.
        "locks": F(
            List(Map({"code": F(Str()), "name": F(Str()), "building": F(Str(), required=False)})),
            required=False,
            default=[],
        ),
        "keys": F(List(KEY), required=False, default=[]),
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
        "key_systems": F(List(KEY_SYSTEM), required=False, default=[]),
    }
)

# Alarms and access control (models/alarms.py): dates are days before the demo is loaded, so a
# demo loaded any day shows the same services due and overdue.
ALARM_EVENT = Map(
    {
        "days_ago": F(Int(0, 3650)),
        "kind": F(Str(choices=tuple(AlarmEvent.Kind.values))),
        "cause": F(Str(), required=False, default=""),
    }
)

ALARM = Map(
    {
        "site": F(Str()),  # the site's code
        "building": F(Str()),  # the building's code on it
        "kind": F(Str(choices=tuple(AlarmKind.values))),
        "name": F(Str()),
        "identifier": F(Str()),
        "connected": F(Bool(), required=False, default=False),
        "receiving_centre": F(Str(), required=False, default=""),
        "supplier": F(Str(), required=False, default=""),
        "service_interval_months": F(Int(1, 120), required=False, default=12),
        # Not given: never serviced.
        "serviced_days_ago": F(Int(0, 3650), required=False),
        "notes": F(Str(), required=False, default=""),
        "classification": F(Str(choices=CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value),
        "classification_ground": F(Str(), required=False, default=""),
        "events": F(List(ALARM_EVENT), required=False, default=[]),
    }
)

ACCESS_REVIEW = Map(
    {
        "days_ago": F(Int(0, 3650)),
        "reviewed_by": F(Str(), required=False),  # a person of the demo
        "outcome": F(Str(choices=tuple(AccessReview.Outcome.values))),
        "rights_removed": F(Int(0, 100000), required=False, default=0),
        "comment": F(Str(), required=False, default=""),
    }
)

ACCESS_CONTROL = Map(
    {
        "site": F(Str()),
        "name": F(Str()),
        "supplier": F(Str(), required=False, default=""),
        "administrators": F(List(Str()), required=False, default=[]),  # people of the demo
        "review_interval_months": F(Int(1, 120), required=False, default=12),
        "reviews": F(List(ACCESS_REVIEW), required=False, default=[]),
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
            "alarms": F(List(ALARM), required=False, default=[]),
            "access_control": F(List(ACCESS_CONTROL), required=False, default=[]),
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
        for j, system in enumerate(site.get("key_systems") or []):
            _check_key_system(ctx, ref, known, system, f"{path}.key_systems[{j}]", building_codes)
    _check_alarms(ctx, demo, ref, known)
    _check_cameras(ctx, demo, ref, known)


def _check_alarms(ctx, demo, ref, known) -> None:
    """Alarms sit in a declared building of a declared site, with an identifier unique in the
    demo; access control systems on a declared site, run and reviewed by the demo's people."""
    buildings = {(s.get("code"), b.get("code")) for s in demo["sites"] for b in s.get("buildings") or []}
    sites = {s.get("code") for s in demo["sites"]}
    identifiers = set()
    for i, alarm in enumerate(demo.get("alarms") or []):
        path = f"demo.facilities.alarms[{i}]"
        ref(alarm, "site", sites, path)
        if alarm.get("site") in sites and (alarm.get("site"), alarm.get("building")) not in buildings:
            ctx.error(
                alarm.line_of("building"),
                f"{path}.building",
                _("'%(value)s' is not declared") % {"value": alarm.get("building")},
            )
        if alarm.get("identifier") in identifiers:
            ctx.error(
                alarm.line_of("identifier"),
                f"{path}.identifier",
                _("'%(key)s' is declared twice") % {"key": alarm["identifier"]},
            )
        identifiers.add(alarm.get("identifier"))
        if alarm.get("connected") and not (alarm.get("receiving_centre") or "").strip():
            ctx.error(alarm.line, f"{path}.receiving_centre", _("a connected alarm names its receiving centre"))
        _check_classified(ctx, alarm, path)
    for i, system in enumerate(demo.get("access_control") or []):
        path = f"demo.facilities.access_control[{i}]"
        ref(system, "site", sites, path)
        for name in system.get("administrators") or []:
            if name not in known["people"]:
                ctx.error(
                    system.line_of("administrators"),
                    f"{path}.administrators",
                    _("'%(value)s' is not declared") % {"value": name},
                )
        for j, review in enumerate(system.get("reviews") or []):
            ref(review, "reviewed_by", known["people"], f"{path}.reviews[{j}]")


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


def _check_key_system(ctx, ref, known, system, path, building_codes) -> None:
    """A key system's administrator and holders are people of the demo; its keys open its own
    locks, in the site's buildings; a key handed out says when."""
    ref(system, "administrator", known["people"], path)
    _check_classified(ctx, system, path)
    locks = set()
    for k, lock in enumerate(system.get("locks") or []):
        if lock.get("building") is not None and lock["building"] not in building_codes:
            ctx.error(
                lock.line_of("building"),
                f"{path}.locks[{k}].building",
                _("'%(value)s' is not declared") % {"value": lock["building"]},
            )
        locks.add(lock.get("code"))
    numbers = set()
    for k, key in enumerate(system.get("keys") or []):
        where = f"{path}.keys[{k}]"
        if key.get("number") in numbers:
            ctx.error(
                key.line_of("number"), f"{where}.number", _("'%(key)s' is declared twice") % {"key": key["number"]}
            )
        numbers.add(key.get("number"))
        ref(key, "holder", known["people"], where)
        for code in key.get("opens") or []:
            if code not in locks:
                ctx.error(key.line_of("opens"), f"{where}.opens", _("'%(value)s' is not declared") % {"value": code})
        if key.get("holder") is not None and key.get("handed_out_on") is None:
            ctx.error(key.line, f"{where}.handed_out_on", _("a key handed out needs its date"))

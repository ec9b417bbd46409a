"""Sites and buildings of a demo organisation, and its camera surveillance, as its profile's
`demo.facilities` declares them. A profile that declares none gets none."""

from decimal import Decimal

from django.utils import timezone

from varna.organisation.models import OrgUnit, Person

from .models import Building, Camera, CameraSurveillance, InterestAssessment, Site
from .models.cameras import months_before


def load_sites(group, declared: dict) -> list[Site]:
    units = {u.code: u for u in OrgUnit.objects.filter(group=group)}
    people = {f"{p.first_name} {p.last_name}": p for p in Person.objects.filter(group=group)}
    sites = []
    for spec in declared["sites"]:
        site = Site.objects.create(
            group=group,
            name=spec["name"],
            code=spec["code"],
            kind=spec["kind"],
            unit=units[spec["unit"]],
            address=spec["address"],
            postal_code=spec["postal_code"],
            town=spec["town"],
            property_designation=spec["property_designation"],
            latitude=None if spec.get("latitude") is None else Decimal(spec["latitude"]),
            longitude=None if spec.get("longitude") is None else Decimal(spec["longitude"]),
            contact=people.get(spec.get("contact")),
            notes=spec["notes"],
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
        site.using_units.set([units[code] for code in spec["using_units"]])
        for b in spec["buildings"]:
            Building.objects.create(
                site=site,
                name=b["name"],
                code=b["code"],
                year_built=b.get("year_built"),
                floor_area=None if b.get("floor_area") is None else Decimal(b["floor_area"]),
                address=b["address"],
                notes=b["notes"],
                classification=b["classification"],
                classification_ground=b["classification_ground"],
            )
        sites.append(site)
    return sites


def load_demo_facilities(ctx) -> None:
    """The area's demo loader (area.py): only what the profile's demo declares."""
    declared = ctx.profile.data["demo"].get("facilities")
    if declared:
        ctx.records["sites"] = {site.code: site for site in load_sites(ctx.group, declared)}
        load_camera_surveillance(ctx.group, declared, ctx.records["sites"])


def load_camera_surveillance(group, declared: dict, sites: dict) -> list[CameraSurveillance]:
    people = {f"{p.first_name} {p.last_name}": p for p in Person.objects.filter(group=group)}
    today = timezone.localdate()
    made = []
    for spec in declared.get("camera_surveillance") or []:
        site = sites[spec["site"]]
        building = site.buildings.get(code=spec["building"]) if spec.get("building") else None
        purposes = set(spec["purposes"])
        surveillance = CameraSurveillance.objects.create(
            group=group,
            site=site,
            building=building,
            name=spec["name"],
            code=spec["code"],
            purpose_crime="crime" in purposes,
            purpose_order="order" in purposes,
            purpose_accidents="accidents" in purposes,
            purpose_other="other" in purposes,
            **{
                name: spec[name]
                for name in (
                    "purpose",
                    "area_covered",
                    "live_view",
                    "recording",
                    "sound_recorded",
                    "masking",
                    "reduced_resolution",
                    "retention_days",
                    "retention_reason",
                    "viewer_roles",
                    "signage_text",
                    "signage_places",
                    "signs_up",
                    "dpia_required",
                    "classification",
                    "classification_ground",
                )
            },
            responsible=people.get(spec.get("responsible")),
            started=spec.get("started"),
            ended=spec.get("ended"),
        )
        for camera in spec["cameras"]:
            Camera.objects.create(
                surveillance=surveillance,
                identifier=camera["identifier"],
                placement=camera["placement"],
                retention_days=camera.get("retention_days"),
                retention_reason=camera["retention_reason"],
            )
        for a in spec["assessments"]:
            InterestAssessment.objects.create(
                surveillance=surveillance,
                date=months_before(today, a["months_ago"]),
                need=a["need"],
                intrusion=a["intrusion"],
                conclusion=a["conclusion"],
                conditions=a["conditions"],
                decided_by=people.get(a["decided_by"]),
            )
        made.append(surveillance)
    return made

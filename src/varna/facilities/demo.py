"""Sites and buildings of a demo organisation, as its profile's `demo.facilities` declares
them, with their key systems, alarms, access control systems and camera surveillance. A profile
that declares none gets none."""

import datetime
from decimal import Decimal

from django.utils import timezone

from varna.organisation.models import OrgUnit, Person

from .models import (
    AccessControlSystem,
    AccessReview,
    Alarm,
    AlarmEvent,
    Building,
    Camera,
    CameraSurveillance,
    InterestAssessment,
    Key,
    KeyLoan,
    KeySystem,
    Lock,
    Site,
)
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
        buildings = {}
        for b in spec["buildings"]:
            buildings[b["code"]] = Building.objects.create(
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
        for system in spec["key_systems"]:
            load_key_system(site, system, buildings, people)
        sites.append(site)
    return sites


def load_key_system(site, spec, buildings, people) -> KeySystem:
    system = KeySystem.objects.create(
        site=site,
        name=spec["name"],
        code=spec["code"],
        kind=spec["kind"],
        supplier=spec["supplier"],
        administrator=people.get(spec.get("administrator")),
        master_key_storage=spec["master_key_storage"],
        classification=spec["classification"],
        classification_ground=spec["classification_ground"],
    )
    locks = {
        lock["code"]: Lock.objects.create(
            system=system, code=lock["code"], name=lock["name"], building=buildings.get(lock.get("building"))
        )
        for lock in spec["locks"]
    }
    for k in spec["keys"]:
        key = Key.objects.create(
            system=system,
            number=k["number"],
            kind=k["kind"],
            series=k["series"],
            is_master=k["master"],
            storage=k["storage"],
        )
        key.opens.set([locks[code] for code in k["opens"]])
        if k.get("holder"):
            day = k["handed_out_on"]
            KeyLoan.objects.create(
                key=key,
                person=people[k["holder"]],
                handed_out_on=day,
                # Only a receipt the demo declares confirmed is one.
                confirmed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
                if k["confirmed"]
                else None,
            )
    return system


def load_demo_facilities(ctx) -> None:
    """The area's demo loader (area.py): only what the profile's demo declares."""
    declared = ctx.profile.data["demo"].get("facilities")
    if declared:
        ctx.records["sites"] = {site.code: site for site in load_sites(ctx.group, declared)}
        load_alarms(ctx.group, declared, ctx.records["sites"])
        load_camera_surveillance(ctx.group, declared, ctx.records["sites"])


def load_alarms(group, declared: dict, sites: dict) -> None:
    """The alarms and access control systems the demo declares (none where it declares none)."""
    today = timezone.localdate()
    now = timezone.now()
    people = {f"{p.first_name} {p.last_name}": p for p in Person.objects.filter(group=group)}
    for spec in declared.get("alarms") or []:
        building = Building.objects.get(site=sites[spec["site"]], code=spec["building"])
        serviced = spec.get("serviced_days_ago")
        alarm = Alarm.objects.create(
            building=building,
            kind=spec["kind"],
            name=spec["name"],
            identifier=spec["identifier"],
            connected=spec["connected"],
            receiving_centre=spec["receiving_centre"],
            supplier=spec["supplier"],
            service_interval_months=spec["service_interval_months"],
            last_serviced_on=None if serviced is None else today - datetime.timedelta(days=serviced),
            notes=spec["notes"],
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
        AlarmEvent.objects.bulk_create(
            AlarmEvent(
                alarm=alarm,
                occurred_at=now - datetime.timedelta(days=e["days_ago"], hours=3),
                kind=e["kind"],
                cause=e["cause"],
            )
            for e in spec["events"]
        )
    for spec in declared.get("access_control") or []:
        system = AccessControlSystem.objects.create(
            site=sites[spec["site"]],
            name=spec["name"],
            supplier=spec["supplier"],
            review_interval_months=spec["review_interval_months"],
        )
        system.administrators.set([people[name] for name in spec["administrators"]])
        for r in spec["reviews"]:
            AccessReview.objects.create(
                system=system,
                reviewed_on=today - datetime.timedelta(days=r["days_ago"]),
                reviewed_by=people.get(r.get("reviewed_by")),
                outcome=r["outcome"],
                rights_removed=r["rights_removed"],
                comment=r["comment"],
            )
        latest = system.reviews.order_by("-reviewed_on").first()
        if latest is not None:
            system.last_reviewed_on = latest.reviewed_on
            system.save()


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

"""Sites and buildings of a demo organisation, as its profile's `demo.facilities` declares
them. A profile that declares none gets none."""

import datetime
from decimal import Decimal

from django.utils import timezone

from varna.organisation.models import OrgUnit, Person

from .models import Building, Key, KeyLoan, KeySystem, Lock, Site


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

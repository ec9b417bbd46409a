"""Sites and buildings of a demo organisation, as its profile's `demo.facilities` declares
them. A profile that declares none gets none."""

from decimal import Decimal

from varna.organisation.models import OrgUnit, Person

from .models import Building, Site


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

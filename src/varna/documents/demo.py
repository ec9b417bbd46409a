"""The governing documents of a profile's demo organisation, decided through the same rules as
in the application."""

from django.utils import timezone

from varna.organisation.models import Person

from . import services
from .models import Document, NotificationDuty


def load_documents(group, profile, bodies, units) -> dict[str, Document]:
    """The demo's documents by their key in the profile."""
    specs = (profile.data.get("demo") or {}).get("documents") or []
    people = {f"{p.first_name} {p.last_name}": p for p in Person.objects.filter(group=group)}
    documents: dict[str, Document] = {}
    for spec in specs:
        document = Document.objects.create(
            group=group,
            kind=spec["kind"],
            title=spec["title"],
            unit=units[spec["unit"]],
            owner=people.get(spec.get("owner")),
            parent=documents.get(spec.get("parent")),
            topics=spec["topics"],
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
        documents[spec["key"]] = document
        version = services.add_version(document, None, text=spec["text"], note="Första versionen")
        decided = spec.get("decided")
        if decided:
            services.record_decision(
                document,
                version=version,
                body=bodies.get(decided.get("body")),
                person=people.get(decided.get("person")),
                date=decided["date"],
                in_force_from=decided.get("in_force_from") or decided["date"],
                record_number=decided["record_number"],
                user=None,
                expected_version=document.version,
            )
            if decided.get("communicated"):
                NotificationDuty.objects.filter(document=document).update(delivered_on=decided["communicated"])
        elif spec["status"] == "consultation":
            services.start_consultation(document)
    services.open_due_reviews(timezone.localdate())
    return documents


def load_demo_documents(ctx) -> None:
    """The area's demo loader (area.py): the documents, by key, for the areas that refer to them."""
    ctx.records["documents"] = load_documents(ctx.group, ctx.profile, ctx.bodies, ctx.units)

"""Records that carry a marker, in every unit, for the marker crawl (tests/core/test_marker_crawl.py).

Every record made here has a unique marker, `MRK0042-risk-TF-FA-cls`, in each field a user can
read (title, name, place, description, text, record number). The four digits identify it: the
crawl finds `MRK` and four digits in every response (HTML, XLSX, CSV, PDF, DOCX, iCalendar,
JSON) and looks the record up here, so a marker cut short in a narrow column or split over two
lines in a PDF is still recognised. The rest of the marker is for people reading a failure.

Who may read a marker is written as data (`SCOPES`), independent of the code that enforces it,
as in tests/core/test_permission_matrix.py: the unit subtree a login sees, the subtree where it
is cleared for classified records, and whether it reads its own incident reports. A marker is
`classified` when its record is classified, and `restricted` when it is content that only a
cleared role may read whatever the record's classification (the persons involved in an incident
and a resident's contact): those need clearance on the unit, and a reporter does not read them.

Links across units are the point: in every unit, the internal records link to the classified
(and other internal) records of a *partner* unit in another branch of the organisation (a
measure implements the partner's classified document and treats its classified risk, a risk
belongs to the partner's internal analysis, an incident is linked to the partner's risk and
measure and claimed under its policy, a function depends on the partner's classified function,
a document sits under the partner's classified document). Some links are made by editing after
creation, so that the change history holds foreign-key and many-to-many changes to records the
reader may not see, and some through the services that notify people (a measure marked done, an
incident linked to a risk, a reported incident), so that tasks and notifications name records.

A new area joins the crawl here: write `make_<area>(m: Markers)` that creates its records in
every unit of `m.units` (both `VARIANTS` where the model can be classified) with
`m.add(kind, unit, variant, url=...)` giving the marker to put in the record's fields, links them
to the partner unit's records (`m.partner(unit)`, `m.get(kind, code, variant)`), and add it to
`AREAS` after the areas it links to. The crawl then fetches every registered record's `url`
as every login, and whatever pages, lists, exports and reports link to it.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from varna.core.models import AccessLogEntry, Task
from varna.organisation.models import OrgUnit, Person

MARKER = re.compile(r"MRK(\d{4})")
VARIANTS = ("int", "cls")  # internal and classified
GROUND = "OSL 18 kap. 8 §"


@dataclass(frozen=True)
class Scope:
    view: str | None = None  # code of the unit whose subtree the login sees
    classified: str | None = None  # code of the unit whose subtree it is cleared for
    own_reports: bool = True  # a reporter reads their own incident reports


# From the profile's demo section (harjedalen.yaml): samordnare is the group's security
# coordinator and kommunchef the chief executive (both cleared, on the top unit); chef is head of
# TF; forvaltningssamordnare is TF's security coordinator (cleared in TF); lasare reads SOF;
# medarbetare has no role. admin is a superuser: every unit's records, but no clearance (the
# lead's decision in issue 10: clearance is a role). Anonymous visitors read nothing.
SCOPES = {
    "samordnare": Scope(view="HK", classified="HK"),
    "kommunchef": Scope(view="HK", classified="HK"),
    "chef": Scope(view="TF"),
    "forvaltningssamordnare": Scope(view="TF", classified="TF"),
    "lasare": Scope(view="SOF"),
    "medarbetare": Scope(),
    "admin": Scope(view="HK"),
    None: Scope(own_reports=False),
}


@dataclass
class Marked:
    marker: str
    kind: str
    code: str  # the unit's code
    path: str  # the unit's materialised path
    classified: bool
    restricted: bool = False
    url: str | None = None  # the record's own page, fetched directly by every login
    reporter: str | None = None  # login of the user who reported the incident
    asked: set = field(default_factory=set)  # logins asked to acknowledge the document

    @property
    def needs_clearance(self) -> bool:
        return self.classified or self.restricted

    def describe(self) -> str:
        what = "restricted" if self.restricted else ("classified" if self.classified else "internal")
        return f"{self.marker} ({what} {self.kind} of {self.code})"


class Markers:
    """The registry: marker → what it marks, and the records by (kind, unit code, variant)."""

    def __init__(self, group):
        self.group = group
        self.units = list(OrgUnit.objects.filter(group=group).order_by("path"))
        self.by_code = {u.code: u for u in self.units}
        self.paths = {u.code: u.path for u in self.units}
        self.marked: dict[str, Marked] = {}
        self.pages: dict[str, Marked] = {}  # a record's own page → its record
        self.records: dict[tuple, object] = {}
        self.today = timezone.localdate()
        self.now = timezone.now()
        users = get_user_model().objects.filter(username__in=[login for login in SCOPES if login])
        self.users = {u.username: u for u in users}
        self.people = {p.user.username: p for p in Person.objects.filter(user__in=users).select_related("user")}

    def partner(self, unit: OrgUnit) -> OrgUnit:
        """A unit in another branch: TF's partner is SOF, and SOF-AO's is TF (offset 11 of 23)."""
        i = self.units.index(unit)
        return self.units[(i + len(self.units) // 2) % len(self.units)]

    def add(self, kind: str, unit: OrgUnit, variant: str = "int", **details) -> str:
        marker = f"MRK{len(self.marked) + 1:04d}-{kind}-{unit.code}-{variant}"
        assert len(self.marked) < 10_000
        self.marked[marker[:7]] = Marked(marker, kind, unit.code, unit.path, classified=variant == "cls", **details)
        return marker

    def register(self, kind: str, unit: OrgUnit, variant: str, obj, marker: str) -> None:
        self.records[(kind, unit.code, variant)] = obj
        marked = self.marked[marker[:7]]
        marked.url = _url(obj)
        if marked.url:
            self.pages.setdefault(marked.url, marked)

    def get(self, kind: str, code: str, variant: str):
        return self.records[(kind, code, variant)]

    def lookup(self, number: str) -> Marked | None:
        return self.marked.get(f"MRK{number}")

    def may_see(self, login: str | None, marked: Marked, *, asked: bool = True) -> bool:
        """Whether the login may read the marker. A person asked to acknowledge a document reads
        its title (asked=True) without being allowed to open the document's page."""
        scope = SCOPES[login]
        if login is not None and not marked.restricted and marked.reporter == login:
            return True
        if asked and login in marked.asked:
            return True
        if scope.view is None or not marked.path.startswith(self.paths[scope.view]):
            return False
        if marked.needs_clearance:
            return scope.classified is not None and marked.path.startswith(self.paths[scope.classified])
        return True

    def owner_for(self, unit: OrgUnit) -> Person | None:
        """A demo login who owns the unit's internal risks, so that tasks and notifications reach
        a login: chef in TF's subtree, lasare in SOF's (neither is cleared, so neither owns a
        classified risk)."""
        for code, login in (("TF", "chef"), ("SOF", "lasare")):
            if unit.path.startswith(self.paths[code]):
                return self.people[login]
        return None


def _url(obj) -> str | None:
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None


def _classification(variant: str) -> dict:
    if variant == "cls":
        return {"classification": "classified", "classification_ground": GROUND}
    return {"classification": "internal", "classification_ground": ""}


# The areas ---------------------------------------------------------------------------------------


def make_organisation(m: Markers) -> None:
    from varna.organisation.models import ExternalParty, RoleAssignment

    for unit in m.units:
        marker = m.add("person", unit)
        person = Person.objects.create(group=m.group, unit=unit, first_name=marker, last_name="Markörsson")
        m.register("person", unit, "int", person, marker)
        marker = m.add("role", unit)
        role = RoleAssignment.objects.create(person=person, role="reader", unit=unit, note=marker)
        m.register("role", unit, "int", role, marker)
        for variant in VARIANTS:
            marker = m.add("party", unit, variant)
            party = ExternalParty.objects.create(
                group=m.group,
                unit=unit,
                name=marker,
                kind="contractor",
                contact_name=marker,
                **_classification(variant),
            )
            m.register("party", unit, variant, party, marker)


def make_documents(m: Markers) -> None:
    from varna.documents import acknowledgements, services
    from varna.documents.models import Decision, Document, Status

    for unit in m.units:
        for variant in VARIANTS:
            marker = m.add("document", unit, variant)
            document = Document.objects.create(
                group=m.group,
                kind="instruction",
                title=marker,
                unit=unit,
                owner=m.get("person", unit.code, "int"),
                record_number=marker[:7],
                **_classification(variant),
            )
            version = services.add_version(document, None, text=f"# Rutin\n\nInnehåll {marker}.", note=marker)
            decided = m.today - datetime.timedelta(days=30)
            Decision.objects.create(
                document=document, version=version, person=document.owner, date=decided, in_force_from=decided
            )
            # Decided and in force, with a review due soon (the classified one's overdue): on the
            # review calendar, in the feed and in the checks' evidence.
            document.status, document.in_force_from = Status.IN_FORCE, decided
            document.next_review = m.today + datetime.timedelta(days=20 if variant == "int" else -10)
            document.save()
            m.register("document", unit, variant, document, marker)
    for unit in m.units:
        # An edit that puts the document under the partner's classified one: a foreign-key
        # change to a hidden record in the history, and a hidden parent on the page.
        document = m.get("document", unit.code, "int")
        document.parent = m.get("document", m.partner(unit).code, "cls")
        document.save()
    # medarbetare is asked to acknowledge one document: the only document title they may read.
    asked = m.get("document", "TF-FA-SV", "int")
    acknowledgements.request_acknowledgement(asked, people=[m.people["medarbetare"]])
    m.lookup(asked.title[3:7]).asked.add("medarbetare")


def make_risks(m: Markers) -> None:
    from varna.organisation import mandate
    from varna.risks import services
    from varna.risks.models import Analysis, Dependency, Measure, Risk, VitalFunction

    election_year = mandate.current(m.today).election_year
    for unit in m.units:
        for variant in VARIANTS:
            marker = m.add("analysis", unit, variant)
            # The internal one is an RSA, so its report (page, PDF, DOCX) is crawled too.
            analysis = Analysis.objects.create(
                group=m.group,
                unit=unit,
                kind=Analysis.Kind.RVA if variant == "int" else Analysis.Kind.UNIT,
                election_year=election_year if variant == "int" else None,
                title=marker,
                scope=marker,
                **_classification(variant),
            )
            m.register("analysis", unit, variant, analysis, marker)
            marker = m.add("function", unit, variant)
            function = VitalFunction.objects.create(
                group=m.group,
                unit=unit,
                name=marker,
                description=marker,
                max_outage_hours=24,
                **_classification(variant),
            )
            m.register("function", unit, variant, function, marker)
            marker = m.add("dependency", unit, variant, url=function.get_absolute_url())
            # The classified function's dependency has no reserve: a shortcoming the RSA reports.
            reserve = marker if variant == "int" else ""
            Dependency.objects.create(function=function, kind="power", name=marker, reserve=reserve)
    for unit in m.units:
        for variant in VARIANTS:
            marker = m.add("risk", unit, variant)
            risk = Risk.objects.create(
                group=m.group,
                analysis=m.get("analysis", unit.code, variant),
                unit=unit,
                owner=m.owner_for(unit) if variant == "int" else None,
                title=marker,
                description=marker,
                cause=marker,
                **_classification(variant),
            )
            risk.vital_functions.set([m.get("function", unit.code, variant)])
            if variant == "int":
                services.assess(risk, likelihood=3, consequences={"life_health": 3, "property": 2}, reasoning=marker)
            else:  # serious, and assessed so long ago that its review is overdue: in the checks' evidence
                on = m.today - datetime.timedelta(days=3 * 365)
                services.assess(risk, likelihood=4, consequences={"life_health": 4}, reasoning=marker, on=on)
            m.register("risk", unit, variant, risk, marker)
            marker = m.add("measure", unit, variant)
            measure = Measure.objects.create(
                group=m.group,
                title=marker,
                description=marker,
                unit=unit,
                owner=m.get("person", unit.code, "int"),
                # The internal one long overdue: first in the checks' evidence of overdue measures.
                due_date=m.today + datetime.timedelta(days=30 if variant == "cls" else -400),
                cost_estimate=Decimal(1000),
                document=m.get("document", unit.code, variant),
                **_classification(variant),
            )
            measure.risks.add(risk)
            m.register("measure", unit, variant, measure, marker)
    for unit in m.units:
        partner = m.partner(unit).code
        function = m.get("function", unit.code, "int")
        Dependency.objects.create(function=function, kind="function", depends_on=m.get("function", partner, "cls"))
        # Edits after creation: the history holds a changed analysis (another administration's
        # internal one), added affected units and functions, and on the measure a document
        # changed to a hidden classified one and risks added that the reader may not see.
        risk = m.get("risk", unit.code, "int")
        risk.analysis = m.get("analysis", partner, "int")
        risk.save()
        risk.affected_units.add(m.partner(unit))
        risk.vital_functions.add(m.get("function", partner, "cls"))
        measure = m.get("measure", unit.code, "int")
        measure.description = f"{measure.title} (ändrad)"
        measure.document = m.get("document", partner, "cls")
        measure.save()
        measure.risks.add(m.get("risk", partner, "cls"), m.get("risk", partner, "int"))
        measure.risks.remove(m.get("risk", partner, "int"))
        # The partner's classified measure treats this unit's risk too, and is done: the risk's
        # owner is asked (a task and a notification) to assess it again.
        hidden = m.get("measure", partner, "cls")
        hidden.risks.add(risk)
    for unit in m.units:
        hidden = m.get("measure", unit.code, "cls")
        hidden.refresh_from_db()
        services.complete_measure(hidden, user=None, expected_version=hidden.version)


def make_insurance(m: Markers) -> None:
    from varna.insurance.models import InsurancePolicy, InsuranceReview

    # One review a year for the whole group, by the top unit: an earlier year's, so that the
    # demo's own review of this year stays as it is.
    top = m.units[0]
    marker = m.add("review", top)
    review = InsuranceReview.objects.create(
        group=m.group,
        year=m.today.year - 3,
        unit=top,
        due_date=m.today - datetime.timedelta(days=900),
        record_number=marker[:7],
        conclusion=marker,
    )
    m.register("review", top, "int", review, marker)

    for unit in m.units:
        marker = m.add("policy", unit)
        policy = InsurancePolicy.objects.create(
            group=m.group,
            unit=unit,
            name=marker,
            insurer="Markörförsäkring AB",
            policy_number=marker[:7],
            notes=marker,
            valid_from=m.today - datetime.timedelta(days=365),
        )
        policy.insured_units.set([unit])
        m.register("policy", unit, "int", policy, marker)


def make_incidents(m: Markers) -> None:
    from varna.incidents import services
    from varna.incidents.models import CostItem, Incident, InvolvedPerson

    def incident(unit, variant, kind="incident", reporter=None):
        marker = m.add(kind, unit, variant, reporter=reporter)
        contact = ""
        if variant == "int" and reporter is None:
            contact = m.add("contact", unit, "int", restricted=True)
        record = Incident(
            group=m.group,
            unit=unit,
            category="theft" if variant == "int" else "threat_violence",
            occurred_at=m.now - datetime.timedelta(days=2),
            place=marker,
            description=marker,
            immediate_actions=marker,
            investigation=marker,
            police_report_number=marker[:7],
            insurance_policy=m.get("policy", unit.code, "int"),
            insurance_claim_number=marker[:7],
            reporter_contact=contact,
            source=Incident.Source.PUBLIC if contact else Incident.Source.EMPLOYEE,
            **_classification(variant),
        )
        # Through the service, so the unit's responders are notified (the place is in the subject).
        services.submit(record, photos=[], user=m.users.get(reporter))
        m.register(kind, unit, variant, record, marker)
        person = m.add("involved", unit, variant, restricted=True, url=record.get_absolute_url())
        InvolvedPerson.objects.create(incident=record, role="witness", name=person, details=person)
        cost = m.add("cost", unit, variant, url=record.get_absolute_url(), reporter=reporter)
        CostItem.objects.create(incident=record, kind="repair", description=cost, estimated=Decimal(2500))
        services.update_costs(record)
        return record

    for unit in m.units:
        for variant in VARIANTS:
            incident(unit, variant)
    # medarbetare's own reports, one of them classified and in a unit they have no role in.
    incident(m.by_code["TF-FA-SV"], "int", "own-report", reporter="medarbetare")
    incident(m.by_code["SOF-AO"], "cls", "own-report", reporter="medarbetare")
    for unit in m.units:
        partner = m.partner(unit).code
        record = m.get("incident", unit.code, "int")
        record.insurance_policy = m.get("policy", partner, "int")
        record.save()
        services.link_measure(record, m.get("measure", partner, "cls"))
        # Both ways: the partner's risk owner is told about this incident, and this unit's risk
        # owner about the partner's classified incident.
        services.link_risk(record, m.get("risk", partner, "cls"), user=None)
        # The owner already has a task for the risk (its measure was done), and is asked once:
        # that task done, they are told about the incident.
        risk = m.get("risk", unit.code, "int")
        Task.objects.filter(subject_id=str(risk.pk), state=Task.State.OPEN).update(state=Task.State.DONE)
        services.link_risk(m.get("incident", partner, "cls"), risk, user=None)


def make_facilities(m: Markers) -> None:
    from varna.facilities.models import Building, Site

    for unit in m.units:
        partner = m.partner(unit)
        for variant in VARIANTS:
            marker = m.add("site", unit, variant)
            site = Site.objects.create(
                group=m.group,
                unit=unit,
                name=marker,
                code=marker[:7],
                kind="water_works" if variant == "cls" else "school",
                address=marker,
                town="Sveg",
                property_designation=marker,
                contact=m.get("person", partner.code, "int"),
                **_classification(variant),
            )
            site.using_units.set([unit, partner])
            # Edited after creation: the history holds the change.
            site.notes = f"Anteckning {marker}"
            site.save()
            m.register("site", unit, variant, site, marker)
            # Its buildings: on an internal site an internal and a classified one; on a classified
            # site one marked internal, classified with its site all the same.
            for building_variant in ("int", "cls") if variant == "int" else ("int",):
                classified = variant == "cls" or building_variant == "cls"
                marker = m.add("building", unit, "cls" if classified else "int")
                building = Building.objects.create(
                    site=site,
                    name=marker,
                    code=marker[:7],
                    address=marker,
                    notes=marker,
                    **_classification(building_variant),
                )
                m.register("building", unit, f"{variant}-{building_variant}", building, marker)
                _make_alarms(m, unit, building, f"{variant}-{building_variant}", classified)
            _make_access_control(m, unit, site, variant)
            for system_variant in ("int", "cls") if variant == "int" else ("int",):
                _key_system(m, unit, partner, site, variant, system_variant)


def _key_system(m: Markers, unit, partner, site, site_variant: str, variant: str) -> None:
    """A key system with a lock and a key handed out to a person of the partner unit (no
    login: a holder reads their own receipt); classified when it or its site is."""
    from varna.facilities import key_services
    from varna.facilities.models import Key, KeyLoan, KeySystem, Lock

    classified = "cls" if "cls" in (site_variant, variant) else "int"
    marker = m.add("key_system", unit, classified)
    system = KeySystem.objects.create(
        site=site,
        name=marker,
        code=marker[:7],
        supplier=marker,
        master_key_storage=marker,
        notes=marker,
        **_classification(variant),
    )
    m.register("key_system", unit, f"{site_variant}-{variant}", system, marker)
    lock = Lock.objects.create(system=system, code=marker[:7], name=m.add("lock", unit, classified))
    marker = m.add("key", unit, classified)
    key = Key.objects.create(system=system, number=marker, series=marker[:7], storage=marker)
    key.opens.set([lock])
    m.register("key", unit, f"{site_variant}-{variant}", key, marker)
    key_services.hand_out(KeyLoan(key=key, person=m.get("person", partner.code, "int")), user=None)


def _make_alarms(m: Markers, unit, building, where: str, building_classified: bool) -> None:
    """An alarm in each building (classified with it where it is), and on an internal building a
    classified one too; each with an event whose cause is marked."""
    from varna.facilities.models import Alarm, AlarmEvent

    for alarm_variant in ("int",) if building_classified else ("int", "cls"):
        classified = building_classified or alarm_variant == "cls"
        marker = m.add("alarm", unit, "cls" if classified else "int")
        alarm = Alarm.objects.create(
            building=building,
            kind="intrusion",
            name=marker,
            identifier=marker[:7],
            connected=True,
            receiving_centre=marker,
            supplier=marker,
            notes=marker,
            **_classification(alarm_variant),
        )
        m.register("alarm", unit, f"{where}-{alarm_variant}", alarm, marker)
        marker = m.add("alarm_event", unit, "cls" if classified else "int")
        event = AlarmEvent.objects.create(alarm=alarm, kind="false_alarm", cause=marker)
        m.register("alarm_event", unit, f"{where}-{alarm_variant}", event, marker)


def _make_access_control(m: Markers, unit, site, variant: str) -> None:
    from varna.facilities.models import AccessControlSystem, AccessReview

    marker = m.add("access_system", unit, variant)
    system = AccessControlSystem.objects.create(site=site, name=marker, supplier=marker, notes=marker)
    system.administrators.set([m.get("person", m.partner(unit).code, "int")])
    m.register("access_system", unit, variant, system, marker)
    marker = m.add("access_review", unit, variant)
    review = AccessReview.objects.create(system=system, outcome="deviations", comment=marker)
    m.register("access_review", unit, variant, review, marker)


def make_camera_surveillance(m: Markers) -> None:
    """On each unit's internal site an internal and a classified surveillance, and on its
    classified site one marked internal (classified with its site); each with a camera and an
    assessment, the partner unit's person among those who may view footage, and the unit's
    owner (chef, lasare) responsible, so that the daily job's review tasks name them."""
    from varna.facilities import camera_review
    from varna.facilities.models import Camera, CameraSurveillance, InterestAssessment

    old = m.today - datetime.timedelta(days=400)
    for unit in m.units:
        partner = m.partner(unit)
        for site_variant, variant in (("int", "int"), ("int", "cls"), ("cls", "int")):
            classified = "cls" if "cls" in (site_variant, variant) else "int"
            marker = m.add("camera_surveillance", unit, classified)
            surveillance = CameraSurveillance.objects.create(
                group=m.group,
                site=m.get("site", unit.code, site_variant),
                name=marker,
                code=marker[:7] + site_variant + variant,
                purpose_crime=True,
                purpose_other=True,
                purpose=marker,
                area_covered=marker,
                privacy_other=marker,
                retention_reason=marker,
                viewer_roles=marker,
                signage_text=marker,
                signage_places=marker,
                notes=marker,
                responsible=m.owner_for(unit),
                **_classification(variant),
            )
            surveillance.viewers.set([m.get("person", partner.code, "int")])
            # Edited after creation: the history holds the change.
            surveillance.signs_up = True
            surveillance.save()
            m.register("camera_surveillance", unit, f"{site_variant}-{variant}", surveillance, marker)
            marker = m.add("camera", unit, classified)
            Camera.objects.create(
                surveillance=surveillance, identifier=marker[:7], placement=marker, retention_reason=marker
            )
            marker = m.add("camera_assessment", unit, classified)
            InterestAssessment.objects.create(
                surveillance=surveillance,
                date=old,
                need=marker,
                intrusion=marker,
                conclusion="conditions",
                conditions=marker,
                decided_by=m.get("person", partner.code, "int"),
            )
    camera_review.open_review_tasks(m.today)


def log_reads(m: Markers) -> None:
    """Earlier reads of classified records by the group's coordinator: the access log names them."""
    user = m.users["samordnare"]
    entries = []
    for (_kind, code, variant), obj in m.records.items():
        if variant == "cls" and code in ("TF", "SOF"):
            entries.append(
                AccessLogEntry(
                    group_id=m.group.pk,
                    user=user,
                    content_type=ContentType.objects.get_for_model(type(obj)),
                    object_id=str(obj.pk),
                    object_repr=str(obj)[:300],
                    path=_url(obj) or "",
                )
            )
    AccessLogEntry.objects.bulk_create(entries)


AREAS = [
    make_organisation,
    make_documents,
    make_risks,
    make_insurance,
    make_incidents,
    make_facilities,
    make_camera_surveillance,
    log_reads,
]


def make_markers(group) -> Markers:
    m = Markers(group)
    for make in AREAS:
        make(m)
    return m

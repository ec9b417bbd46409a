"""The permission matrix: every organisation URL × every demo role × own / other unit.

The expectations are written out as data (who may do what where), independent of the code
that enforces them, so that any leak across units fails here. Areas add their URLs to
`ENTRIES` as they are built.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.documents.models import Document
from varna.facilities.models import (
    AccessControlSystem,
    Alarm,
    Building,
    Camera,
    CameraSurveillance,
    Key,
    KeyLoan,
    KeySystem,
    Site,
)
from varna.incidents.models import CostItem, Incident
from varna.insurance.models import InsurancePolicy, InsuranceReview
from varna.organisation.models import ExternalParty, OrgUnit, Person, RoleAssignment
from varna.risks.models import Analysis, Measure, Risk, VitalFunction

# What each demo login may do, by unit code of the subtree (None = nothing). From the profile's
# demo section: chef is head of TF, forvaltningssamordnare is security coordinator of TF,
# lasare reads SOF, medarbetare has no role.
SCOPES = {
    "samordnare": {"view": "HK", "change": "HK", "manage": "HK", "classified": "HK"},
    # chef is head of TF, and heads accept risks (the profile names no other acceptance role).
    "chef": {"view": "TF", "change": "TF", "accept": "TF"},
    "forvaltningssamordnare": {"view": "TF", "change": "TF", "manage": "TF", "classified": "TF"},
    "lasare": {"view": "SOF"},
    "medarbetare": {},
}
LOGINS = [*SCOPES, None]


def allowed(login, action, unit: OrgUnit) -> bool:
    if login is None:
        return False
    code = SCOPES[login].get(action)
    if code is None:
        return False
    root = OrgUnit.objects.get(group=unit.group, code=code)
    return unit.path.startswith(root.path)


@dataclass
class Entry:
    name: str
    action: str
    target: str  # "own": TF subtree, "other": SOF subtree
    kind: str  # unit | person | party | role | document | risk | measure | analysis | function | rva | incident | cost


def target_object(kind, target, group):
    code = {"own": "TF", "other": "SOF"}[target]
    unit = OrgUnit.objects.get(group=group, code=code)
    if kind == "unit":
        return unit, unit
    if kind == "person":
        person = Person.objects.filter(unit=unit).first()
        return person, person.unit
    if kind == "party":
        party = (
            ExternalParty.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
        )
        return party, party.unit
    if kind == "role":
        role = RoleAssignment.objects.filter(unit=unit).first()
        return role, role.unit
    if kind == "document":
        document = (
            Document.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
        )
        return document, document.unit
    if kind == "rva":
        # The demo's RSA is the whole group's, on the top unit; one made on the unit lets its
        # report (page, PDF, DOCX) be tried inside and outside each role's subtree.
        rva = Analysis.objects.create(
            group=group, unit=unit, kind=Analysis.Kind.RVA, title=f"RSA {code}", election_year=2026
        )
        return rva, unit
    if kind == "policy":
        # The demo's policies are held by the top unit; one held by the unit is tried here.
        policy = InsurancePolicy.objects.create(
            group=group, unit=unit, name=f"Försäkring {code}", insurer="Kommunassurans", valid_from="2025-01-01"
        )
        return policy, unit
    if kind == "review":
        review = InsuranceReview.objects.create(group=group, unit=unit, year=1990 + unit.pk, due_date="2026-03-31")
        return review, unit
    if kind == "site":
        site = Site.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
        return site, site.unit
    if kind == "building":
        building = (
            Building.objects.filter(site__unit__path__startswith=unit.path)
            .exclude(classification="classified")
            .exclude(site__classification="classified")
            .select_related("site__unit")
            .first()
        )
        return building, building.site.unit
    if kind in ("key_system", "key", "loan"):
        system = _key_system(unit)
        if kind == "key_system":
            return system, system.site.unit
        key = Key.objects.create(system=system, number=f"M-{Key.objects.count()}")
        if kind == "key":
            return key, system.site.unit
        return _loan(key), system.site.unit
    if kind == "alarm":
        alarm = (
            Alarm.objects.filter(building__site__unit__path__startswith=unit.path)
            .exclude(classification="classified")
            .exclude(building__classification="classified")
            .exclude(building__site__classification="classified")
            .select_related("building__site__unit")
            .first()
        )
        return alarm, alarm.building.site.unit
    if kind == "access_system":
        site = Site.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
        system = AccessControlSystem.objects.filter(site=site).first() or AccessControlSystem.objects.create(
            site=site, name=f"Passersystem {site.code}"
        )
        return system, site.unit
    if kind in ("surveillance", "camera"):
        surveillance = (
            CameraSurveillance.objects.filter(site__unit__path__startswith=unit.path, classification="public")
            .exclude(site__classification="classified")
            .select_related("site__unit")
            .order_by("pk")
            .first()
        )
        if kind == "camera":
            return surveillance.cameras.order_by("pk").first(), surveillance.site.unit
        return surveillance, surveillance.site.unit
    if kind in ("incident", "cost"):
        # Not one a demo login reported: a reporter reads their own report whatever their role.
        incident = (
            Incident.objects.filter(unit__path__startswith=unit.path, reported_by__isnull=True)
            .exclude(classification="classified")
            .order_by("pk")
            .first()
        )
        if kind == "cost":
            return CostItem.objects.create(incident=incident, kind="repair", estimated=1000), incident.unit
        return incident, incident.unit
    if kind in ("risk", "measure", "analysis", "function"):
        model = {"risk": Risk, "measure": Measure, "analysis": Analysis, "function": VitalFunction}[kind]
        objects = model.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified")
        if kind == "measure":
            objects = objects.open()  # one that can still be marked as done
        obj = objects.order_by("pk").first()
        return obj, obj.unit
    raise AssertionError(kind)


DETAIL = (
    [Entry("organisation:unit", "view", t, "unit") for t in ("own", "other")]
    + [Entry("organisation:unit-edit", "manage", t, "unit") for t in ("own", "other")]
    + [Entry("organisation:person", "view", t, "person") for t in ("own", "other")]
    + [Entry("organisation:person-edit", "change", t, "person") for t in ("own", "other")]
    + [Entry("organisation:party", "view", t, "party") for t in ("own", "other")]
    + [Entry("organisation:party-edit", "change", t, "party") for t in ("own", "other")]
    + [Entry("organisation:role-edit", "manage", t, "role") for t in ("own", "other")]
    + [Entry("documents:document", "view", t, "document") for t in ("own", "other")]
    + [Entry("documents:edit", "change", t, "document") for t in ("own", "other")]
    + [Entry("documents:version-create", "change", t, "document") for t in ("own", "other")]
    + [Entry("documents:decision", "manage", t, "document") for t in ("own", "other")]
    + [Entry("risks:risk", "view", t, "risk") for t in ("own", "other")]
    + [Entry("risks:edit", "change", t, "risk") for t in ("own", "other")]
    + [Entry("risks:assess", "change", t, "risk") for t in ("own", "other")]
    + [Entry("risks:accept", "view", t, "risk") for t in ("own", "other")]
    + [Entry("risks:analysis", "view", t, "analysis") for t in ("own", "other")]
    + [Entry("risks:analysis-edit", "change", t, "analysis") for t in ("own", "other")]
    + [Entry("risks:measure", "view", t, "measure") for t in ("own", "other")]
    + [Entry("risks:measure-edit", "change", t, "measure") for t in ("own", "other")]
    + [Entry("risks:report", "view", t, "rva") for t in ("own", "other")]
    + [Entry("risks:report-pdf", "view", t, "rva") for t in ("own", "other")]
    + [Entry("risks:report-docx", "view", t, "rva") for t in ("own", "other")]
    + [Entry("risks:function", "view", t, "function") for t in ("own", "other")]
    + [Entry("risks:function-edit", "change", t, "function") for t in ("own", "other")]
    + [Entry("incidents:incident", "view", t, "incident") for t in ("own", "other")]
    + [Entry("incidents:edit", "change", t, "incident") for t in ("own", "other")]
    + [Entry("incidents:photo-add", "change", t, "incident") for t in ("own", "other")]
    + [Entry("incidents:measure-create", "change", t, "incident") for t in ("own", "other")]
    + [Entry("incidents:cost-edit", "change", t, "cost") for t in ("own", "other")]
    + [Entry("insurance:policy", "view", t, "policy") for t in ("own", "other")]
    + [Entry("insurance:edit", "change", t, "policy") for t in ("own", "other")]
    + [Entry("insurance:review", "view", t, "review") for t in ("own", "other")]
    + [Entry("documents:acknowledgements", "view", t, "document") for t in ("own", "other")]
    + [Entry("documents:compare", "view", t, "document") for t in ("own", "other")]
    + [Entry("documents:version-upload", "change", t, "document") for t in ("own", "other")]
    + [Entry("organisation:contract-create", "change", t, "party") for t in ("own", "other")]
    + [Entry("facilities:site", "view", t, "site") for t in ("own", "other")]
    + [Entry("facilities:edit", "change", t, "site") for t in ("own", "other")]
    + [Entry("facilities:delete", "change", t, "site") for t in ("own", "other")]
    + [Entry("facilities:building-create", "change", t, "site") for t in ("own", "other")]
    + [Entry("facilities:building", "view", t, "building") for t in ("own", "other")]
    + [Entry("facilities:building-edit", "change", t, "building") for t in ("own", "other")]
    + [Entry("facilities:building-delete", "change", t, "building") for t in ("own", "other")]
    + [Entry("facilities:key-system-create", "change", t, "site") for t in ("own", "other")]
    + [Entry("facilities:key-system", "view", t, "key_system") for t in ("own", "other")]
    + [Entry("facilities:key-system-edit", "change", t, "key_system") for t in ("own", "other")]
    + [Entry("facilities:key-system-delete", "change", t, "key_system") for t in ("own", "other")]
    + [Entry("facilities:lock-create", "change", t, "key_system") for t in ("own", "other")]
    + [Entry("facilities:key-create", "change", t, "key_system") for t in ("own", "other")]
    + [Entry("facilities:key", "view", t, "key") for t in ("own", "other")]
    + [Entry("facilities:key-edit", "change", t, "key") for t in ("own", "other")]
    + [Entry("facilities:key-delete", "change", t, "key") for t in ("own", "other")]
    + [Entry("facilities:key-hand-out", "change", t, "key") for t in ("own", "other")]
    + [Entry("facilities:key-lost", "change", t, "key") for t in ("own", "other")]
    + [Entry("facilities:key-loan", "view", t, "loan") for t in ("own", "other")]
    + [Entry("facilities:alarm-create", "change", t, "building") for t in ("own", "other")]
    + [Entry("facilities:alarm", "view", t, "alarm") for t in ("own", "other")]
    + [Entry("facilities:alarm-edit", "change", t, "alarm") for t in ("own", "other")]
    + [Entry("facilities:alarm-service", "change", t, "alarm") for t in ("own", "other")]
    + [Entry("facilities:alarm-delete", "change", t, "alarm") for t in ("own", "other")]
    + [Entry("facilities:alarm-event-create", "change", t, "alarm") for t in ("own", "other")]
    + [Entry("facilities:access-system-create", "change", t, "site") for t in ("own", "other")]
    + [Entry("facilities:access-system", "view", t, "access_system") for t in ("own", "other")]
    + [Entry("facilities:access-system-edit", "change", t, "access_system") for t in ("own", "other")]
    + [Entry("facilities:access-system-delete", "change", t, "access_system") for t in ("own", "other")]
    + [Entry("facilities:access-review-create", "change", t, "access_system") for t in ("own", "other")]
    + [Entry("facilities:camera-surveillance", "view", t, "surveillance") for t in ("own", "other")]
    + [Entry("facilities:camera-surveillance-edit", "change", t, "surveillance") for t in ("own", "other")]
    + [Entry("facilities:camera-surveillance-delete", "change", t, "surveillance") for t in ("own", "other")]
    + [Entry("facilities:camera-add", "change", t, "surveillance") for t in ("own", "other")]
    + [Entry("facilities:camera-assess", "change", t, "surveillance") for t in ("own", "other")]
    + [Entry("facilities:camera-delete", "change", t, "camera") for t in ("own", "other")]
)


def _key_system(unit):
    """A key system on a site of the subtree (the demo has one in TF only)."""
    site = Site.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
    system = KeySystem.objects.filter(site__unit__path__startswith=unit.path, classification="internal").first()
    return system or KeySystem.objects.create(site=site, name=f"Nyckelsystem {unit.code}", code=f"NS-{unit.code}")


def _loan(key):
    """A key handed to a person of the site's unit without a login (a holder reads their own)."""
    holder = Person.objects.filter(unit__path__startswith=key.system.site.unit.path, user__isnull=True).first()
    return KeyLoan.objects.create(key=key, person=holder)


def _client(client, client_for, login):
    return client_for(login) if login else client


def _denied_first(logins, action, unit):
    """Logins that may not act come first: a test that changes the record lets those that may
    act do so only after every refusal has been checked against the unchanged record."""
    return sorted(logins, key=lambda login: login is not None and allowed(login, action, unit))


# Each test loads the demo once and tries every login in turn (loading it per login made the
# matrix the slowest part of the suite); a failure names the login.


@pytest.mark.parametrize("entry", DETAIL, ids=lambda e: f"{e.name}-{e.target}")
def test_detail_and_edit_pages(client, client_for, group, entry):
    obj, unit = target_object(entry.kind, entry.target, group)
    url = reverse(entry.name, args=[obj.pk])
    for login in LOGINS:
        response = _client(client, client_for, login).get(url)
        if login is None:
            assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
        elif allowed(login, entry.action, unit):
            assert response.status_code == 200, f"{login} could not reach {url}"
        else:
            assert response.status_code == 404, f"{login} reached {url}"


@pytest.mark.parametrize("entry", [e for e in DETAIL if e.name.endswith("-edit")], ids=lambda e: f"{e.name}-{e.target}")
def test_posting_an_edit_outside_the_scope_changes_nothing(client, client_for, group, entry):
    obj, unit = target_object(entry.kind, entry.target, group)
    for login in _denied_first(LOGINS, entry.action, unit):
        if login is not None and allowed(login, entry.action, unit):
            continue
        before = type(obj).objects.get(pk=obj.pk).updated_at
        response = _client(client, client_for, login).post(reverse(entry.name, args=[obj.pk]), {"name": "Hacked"})
        assert response.status_code == (302 if login is None else 404), login
        assert type(obj).objects.get(pk=obj.pk).updated_at == before, f"{login} changed {obj}"


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("organisation:unit-create", "manage"),
        ("organisation:role-create", "manage"),
        ("organisation:import", "manage"),
        ("organisation:role-import", "manage"),
        ("organisation:person-create", "change"),
        ("organisation:party-create", "change"),
        ("documents:create", "change"),
        ("documents:import", "manage"),
        ("risks:create", "change"),
        ("risks:analysis-create", "change"),
        ("risks:measure-create", "change"),
        ("risks:function-create", "change"),
        ("risks:import", "change"),
        ("risks:import-template", "change"),
        ("incidents:import", "change"),
        ("incidents:import-template", "change"),
        ("insurance:create", "change"),
        ("facilities:create", "change"),
        ("facilities:import", "change"),
        ("facilities:alarm-import", "change"),
        ("facilities:camera-create", "change"),
        ("facilities:camera-thinning", "manage"),
    ],
)
def test_create_pages_need_the_action_somewhere(client, client_for, group, name, action):
    for login in LOGINS:
        response = _client(client, client_for, login).get(reverse(name))
        if login is None:
            assert response.status_code == 302
        elif SCOPES[login].get(action):
            assert response.status_code == 200, login
        else:
            assert response.status_code == 403, login


# List pages: the links to records of each unit subtree must appear exactly where the role reaches.
LIST_PAGES = [
    "organisation:group",
    "organisation:people",
    "organisation:parties",
    "documents:list",
    "risks:list",
    "risks:measures",
    "risks:analyses",
    "risks:functions",
    "risks:dependency-graph",
    "incidents:list",
    "facilities:list",
    "facilities:keys",
    "facilities:alarms",
    "facilities:cameras",
]
LIST_MODELS = {
    "risks:list": Risk,
    "risks:measures": Measure,
    "risks:analyses": Analysis,
    "risks:functions": VitalFunction,
    "risks:dependency-graph": VitalFunction,
}


def _links(group, code, name):
    root = OrgUnit.objects.get(group=group, code=code)
    if name == "organisation:group":
        objects = OrgUnit.objects.filter(path__startswith=root.path)
    elif name == "organisation:people":
        objects = Person.objects.filter(unit__path__startswith=root.path)
    elif name == "documents:list":
        objects = Document.objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
    elif name == "incidents:list":
        # This year's (the first page, newest first), not reported by a demo login (a reporter
        # sees their own reports whatever their role).
        objects = Incident.objects.filter(
            unit__path__startswith=root.path, reported_by__isnull=True, occurred_at__year=timezone.localdate().year
        ).exclude(classification="classified")
    elif name == "facilities:list":
        objects = Site.objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
    elif name == "facilities:keys":
        objects = Key.objects.filter(system__site__unit__path__startswith=root.path).exclude(
            system__classification="classified"
        )
    elif name == "facilities:alarms":
        objects = (
            Alarm.objects.filter(building__site__unit__path__startswith=root.path)
            .exclude(classification="classified")
            .exclude(building__classification="classified")
            .exclude(building__site__classification="classified")
        )
    elif name == "facilities:cameras":
        objects = (
            CameraSurveillance.objects.current()
            .filter(site__unit__path__startswith=root.path)
            .exclude(classification="classified")
            .exclude(site__classification="classified")
        )
    elif name in LIST_MODELS:
        objects = (
            LIST_MODELS[name].objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
        )
    else:
        objects = ExternalParty.objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
    links = [f'href="{obj.get_absolute_url()}"' for obj in objects]
    assert links
    return links


@pytest.mark.parametrize("login", [login for login in LOGINS if login])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_lists_show_only_what_the_role_covers(client_for, group, login, name):
    if name == "incidents:list":
        for code in ("TF", "SOF"):  # today's, so on the first page of the list (newest first)
            unit = OrgUnit.objects.get(group=group, code=code)
            Incident.objects.create(group=group, unit=unit, category="theft", description=f"Stöld {code}")
    if name == "facilities:keys":
        for code in ("TF", "SOF"):  # the demo has keys in TF only
            Key.objects.create(system=_key_system(OrgUnit.objects.get(group=group, code=code)), number=f"L-{code}")
    response = client_for(login).get(reverse(name))
    view = SCOPES[login].get("view")
    text = response.content.decode() if response.status_code == 200 else ""
    if view is None:
        assert response.status_code in (200, 403)
    else:
        assert response.status_code == 200
    for code in ("TF", "SOF"):
        visible = view is not None and allowed(login, "view", OrgUnit.objects.get(group=group, code=code))
        for link in _links(group, code, name):
            assert (link in text) == visible, f"{login} on {name}: {link} visible={link in text}"


def test_a_reader_on_one_committees_units_sees_nothing_of_anothers(client_for, group):
    text = client_for("lasare").get(reverse("organisation:group")).content.decode()
    assert "Socialförvaltningen" in text
    for other in ("Tekniska förvaltningen", "Barn- och utbildningsförvaltningen"):
        assert other not in text


def test_the_group_security_coordinator_sees_everything(client_for, group):
    text = client_for("samordnare").get(reverse("organisation:group")).content.decode()
    for unit in OrgUnit.objects.filter(group=group):
        assert unit.get_absolute_url() in text


@pytest.mark.parametrize("target", ["own", "other"])
def test_marking_a_measure_done_needs_change_on_its_unit(client, client_for, group, target):
    measure, unit = target_object("measure", target, group)
    for login in _denied_first(LOGINS, "change", unit):
        measure.refresh_from_db()
        response = _client(client, client_for, login).post(
            reverse("risks:measure-complete", args=[measure.pk]), {"version": measure.version}
        )
        measure.refresh_from_db()
        if login is None:
            assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
            assert measure.status != Measure.State.DONE
        elif allowed(login, "change", unit):
            assert response.status_code == 302 and measure.status == Measure.State.DONE, login
            Measure.objects.filter(pk=measure.pk).update(status=Measure.State.PLANNED)
        else:
            assert response.status_code == 404 and measure.status != Measure.State.DONE, login


@pytest.mark.parametrize("target", ["own", "other"])
def test_assessing_a_risk_outside_the_scope_stores_nothing(client, client_for, group, target):
    risk, unit = target_object("risk", target, group)
    for login in LOGINS:
        risk.refresh_from_db()
        before = risk.assessments.count()
        response = _client(client, client_for, login).post(
            reverse("risks:assess", args=[risk.pk]),
            {
                "kind": "current",
                "assessed_on": "2026-01-01",
                "likelihood": "1",
                "c_life_health": "1",
                "expected_version": risk.version,
            },
        )
        if login is not None and allowed(login, "change", unit):
            assert risk.assessments.count() == before + 1, login
        else:
            assert response.status_code in (302, 404) and risk.assessments.count() == before, login


@pytest.mark.parametrize("target", ["own", "other"])
def test_dependencies_and_capability_are_added_only_with_change_on_the_unit(client, client_for, group, target):
    function, unit = target_object("function", target, group)
    for login in LOGINS:
        before = (function.dependencies.count(), function.capability_assessments.count())
        c = _client(client, client_for, login)
        r1 = c.post(reverse("risks:dependency-add", args=[function.pk]), {"kind": "power", "name": f"Nät {login}"})
        r2 = c.post(
            reverse("risks:capability-add", args=[function.pk]),
            {"event_type": "Elavbrott", "level": "2", "reasons": "Skäl", "assessed_on": "2026-01-01"},
        )
        after = (function.dependencies.count(), function.capability_assessments.count())
        if login is not None and allowed(login, "change", unit):
            assert after == (before[0] + 1, before[1] + 1), login
        else:
            assert after == before and {r1.status_code, r2.status_code} <= {302, 404}, login
            if login is not None:
                assert r1.status_code == 404 and r2.status_code == 404, login
    dependency = function.dependencies.first()
    for login in _denied_first(LOGINS, "change", unit):
        if login is not None and allowed(login, "change", unit):
            continue
        _client(client, client_for, login).post(reverse("risks:dependency-remove", args=[dependency.pk]))
        assert function.dependencies.filter(pk=dependency.pk).exists(), login


# Actions (POST, and the pages that need a record in a particular state) -------------------------
#
# Each action needs, on the record's unit, every permission in `needs` (in SCOPES' terms; "accept"
# is holding the role that accepts risks, "classified" being cleared). A login with the first but
# not all of them is refused with `partly` (a 403, or 200 for a form that says why); without the
# first, the record is not there for it (404). `prepare` puts the record in the state the action
# starts from (and returns what the URL names), before every login's try; `done` says whether the
# action took effect. Logins that may not act try first, so their refusal is checked against the
# unchanged record.


@dataclass
class Action:
    name: str
    kind: str  # as for target_object; "involved", "cover", "review" are made on the unit's record
    needs: tuple
    post: object  # (target, login) -> the form data
    done: object  # (target, login) -> whether it took effect
    prepare: object = None  # (obj) -> the target, in the state before the action
    partly: int = 404
    method: str = "post"

    def __str__(self):
        return self.name


def _may(login, needs, unit) -> bool:
    return login is not None and all(allowed(login, need, unit) for need in needs)


def _in_force(document):
    from varna.documents.models import Review, Status

    Review.objects.filter(document=document, done_at__isnull=True).delete()
    Document.objects.filter(pk=document.pk).update(status=Status.IN_FORCE, next_review=timezone.localdate())
    document.refresh_from_db()
    return document


def _status(document, status):
    Document.objects.filter(pk=document.pk).update(status=status)
    document.refresh_from_db()
    return document


def _accepted(risk, accepted: bool):
    from varna.risks import services

    if risk.likelihood is None:
        services.assess(risk, likelihood=2, consequences={"life_health": 2})
    Risk.objects.filter(pk=risk.pk).update(status=Risk.State.ACCEPTED if accepted else Risk.State.ACTIVE)
    risk.refresh_from_db()
    return risk


def _current(role):
    RoleAssignment.objects.filter(pk=role.pk).update(valid_from=None, valid_to=None)
    return role


def _unlinked(incident):
    incident.risks.clear()
    return incident


def _involved(incident):
    from varna.incidents.models import InvolvedPerson

    return incident.persons.first() or InvolvedPerson.objects.create(incident=incident, role="witness", name="Vittne")


def _cover(policy):
    from varna.insurance.models import Cover

    return policy.covers.first() or Cover.objects.create(policy=policy, kind="fire")


def _open_review(document):
    from varna.documents.models import Review

    _in_force(document)
    return Review.objects.create(document=document, due_date=timezone.localdate())


def _linkable_risk(incident):
    return Risk.objects.filter(unit=incident.unit).active().first() or Risk.objects.create(
        group=incident.group, unit=incident.unit, title=f"Risk vid {incident.unit.code}"
    )


def _fresh_loan(loan):
    """A key of its own, handed out, for each login's try."""
    key = Key.objects.create(system=loan.key.system, number=f"F-{Key.objects.count()}")
    return _loan(key)


def _fresh_key(key):
    return Key.objects.create(system=key.system, number=f"F-{Key.objects.count()}")


ACTIONS = [
    Action(
        "risks:accept",
        "risk",
        ("view", "accept"),
        post=lambda risk, login: {
            "reason": "Godtagbar nivå",
            "expires_on": (timezone.localdate() + timezone.timedelta(days=365)).isoformat(),
            "expected_version": risk.version,
        },
        done=lambda risk, login: Risk.objects.get(pk=risk.pk).status == Risk.State.ACCEPTED,
        prepare=lambda risk: _accepted(risk, False),
        partly=200,  # the form says who may accept
    ),
    Action(
        "risks:acceptance-end",
        "risk",
        ("change",),
        post=lambda risk, login: {"version": risk.version},
        done=lambda risk, login: Risk.objects.get(pk=risk.pk).status == Risk.State.ACTIVE,
        prepare=lambda risk: _accepted(risk, True),
    ),
    Action(
        "incidents:risk-link",
        "incident",
        ("change",),
        post=lambda incident, login: {"risk": _linkable_risk(incident).pk},
        done=lambda incident, login: incident.risks.filter(pk=_linkable_risk(incident).pk).exists(),
        prepare=lambda incident: _unlinked(incident),
    ),
    Action(
        "incidents:person-add",
        "incident",
        ("change", "classified"),
        post=lambda incident, login: {"person-role": "witness", "person-name": f"Vittne {login}"},
        done=lambda incident, login: incident.persons.filter(name=f"Vittne {login}").exists(),
        partly=403,  # may change the incident, but persons involved are for cleared roles
    ),
    Action(
        "incidents:person-remove",
        "involved",
        ("change", "classified"),
        post=lambda person, login: {},
        done=lambda person, login: not type(person).objects.filter(pk=person.pk).exists(),
        prepare=_involved,
        partly=403,
    ),
    Action(
        "incidents:cost-add",
        "incident",
        ("change",),
        post=lambda incident, login: {"cost-kind": "repair", "cost-estimated": "100", "cost-description": f"{login}"},
        done=lambda incident, login: incident.cost_items.filter(description=f"{login}").exists(),
    ),
    Action(
        "insurance:cover-add",
        "policy",
        ("change",),
        post=lambda policy, login: {"cover-kind": "fire", "cover-deductible": "0", "cover-conditions": f"{login}"},
        done=lambda policy, login: policy.covers.filter(conditions=f"{login}").exists(),
    ),
    Action(
        "insurance:cover-remove",
        "cover",
        ("change",),
        post=lambda cover, login: {},
        done=lambda cover, login: not type(cover).objects.filter(pk=cover.pk).exists(),
        prepare=_cover,
    ),
    Action(
        "documents:review-start",
        "document",
        ("change",),
        post=lambda document, login: {},
        done=lambda document, login: document.reviews.filter(done_at__isnull=True).exists(),
        prepare=_in_force,
    ),
    Action(
        "documents:review-complete",
        "review",
        ("change",),
        post=lambda review, login: {"outcome": "no_change", "notes": ""},
        done=lambda review, login: type(review).objects.get(pk=review.pk).done_at is not None,
        prepare=_open_review,
    ),
    Action(
        "documents:consultation",
        "document",
        ("change",),
        post=lambda document, login: {},
        done=lambda document, login: Document.objects.get(pk=document.pk).status == "consultation",
        prepare=lambda document: _status(document, "draft"),
    ),
    Action(
        "documents:comment",
        "document",
        ("view",),
        post=lambda document, login: {"unit": document.unit_id, "text": f"Synpunkt {login}"},
        done=lambda document, login: document.comments.filter(text=f"Synpunkt {login}").exists(),
        prepare=lambda document: _status(document, "consultation"),
    ),
    Action(
        "documents:repeal",
        "document",
        ("manage",),
        post=lambda document, login: {"version": document.version},
        done=lambda document, login: Document.objects.get(pk=document.pk).status == "repealed",
        prepare=_in_force,
    ),
    Action(
        "documents:replace",  # the page: only a document in force (or decided) can be replaced
        "document",
        ("manage",),
        post=None,
        done=None,
        prepare=_in_force,
        method="get",
    ),
    Action(
        "organisation:role-end",
        "role",
        ("manage",),
        post=lambda role, login: {},
        done=lambda role, login: RoleAssignment.objects.get(pk=role.pk).valid_to == timezone.localdate(),
        prepare=lambda role: _current(role),
    ),
    Action(
        "facilities:building-create",
        "site",
        ("change",),
        post=lambda site, login: {"name": f"Hus {login}", "code": f"H-{login}", "classification": "internal"},
        done=lambda site, login: site.buildings.filter(code=f"H-{login}").exists(),
    ),
    Action(
        "facilities:building-delete",
        "building",
        ("change",),
        post=lambda building, login: {},
        done=lambda building, login: not Building.objects.filter(pk=building.pk).exists(),
        prepare=lambda building: _spare_building(building.site),
    ),
    Action(
        "facilities:delete",
        "site",
        ("change",),
        post=lambda site, login: {},
        done=lambda site, login: not Site.objects.filter(pk=site.pk).exists(),
        prepare=lambda site: _spare_site(site),
    ),
    Action(
        "facilities:key-loan-return",
        "loan",
        ("view", "change"),
        post=lambda loan, login: {"returned_on": timezone.localdate().isoformat()},
        done=lambda loan, login: KeyLoan.objects.get(pk=loan.pk).returned_on is not None,
        prepare=_fresh_loan,
        partly=403,
    ),
    Action(
        "facilities:key-lost",
        "key",
        ("change",),
        post=lambda key, login: {"lost_on": timezone.localdate().isoformat(), "circumstances": f"Tappad av {login}"},
        done=lambda key, login: Key.objects.get(pk=key.pk).lost_on is not None,
        prepare=_fresh_key,
    ),
    Action(
        "facilities:key-hand-out",
        "key",
        ("change",),
        post=lambda key, login: {
            "person": Person.objects.filter(unit__path__startswith=key.system.site.unit.path).first().pk,
            "handed_out_on": timezone.localdate().isoformat(),
        },
        done=lambda key, login: KeyLoan.objects.filter(key=key).exists(),
        prepare=_fresh_key,
    ),
    Action(
        "facilities:alarm-delete",
        "alarm",
        ("change",),
        post=lambda alarm, login: {},
        done=lambda alarm, login: not Alarm.objects.filter(pk=alarm.pk).exists(),
        prepare=lambda alarm: _spare_alarm(alarm.building),
    ),
    Action(
        "facilities:access-review-create",
        "access_system",
        ("change",),
        post=lambda system, login: {
            "reviewed_on": "2026-01-05",
            "outcome": "no_remarks",
            "rights_removed": "0",
            "comment": f"Översyn {login}",
        },
        done=lambda system, login: system.reviews.filter(comment=f"Översyn {login}").exists(),
    ),
    Action(
        "facilities:camera-add",
        "surveillance",
        ("change",),
        post=lambda s, login: {"identifier": f"K-{login}", "placement": "Entrén"},
        done=lambda s, login: s.cameras.filter(identifier=f"K-{login}").exists(),
    ),
    Action(
        "facilities:camera-assess",
        "surveillance",
        ("change",),
        post=lambda s, login: {
            "date": "2026-01-01",
            "need": f"Behov {login}",
            "intrusion": "Intrång",
            "conclusion": "allowed",
            "decided_by": Person.objects.filter(unit__path__startswith=s.site.unit.path).order_by("pk").first().pk,
        },
        done=lambda s, login: s.assessments.filter(need=f"Behov {login}").exists(),
    ),
    Action(
        "facilities:camera-surveillance-delete",
        "surveillance",
        ("change",),
        post=lambda s, login: {},
        done=lambda s, login: not CameraSurveillance.objects.filter(pk=s.pk).exists(),
        prepare=lambda s: _spare_surveillance(s),
    ),
    Action(
        "facilities:camera-delete",
        "camera",
        ("change",),
        post=lambda c, login: {},
        done=lambda c, login: not Camera.objects.filter(pk=c.pk).exists(),
        prepare=lambda c: _spare_camera(c),
    ),
]


def _spare_alarm(building):
    """An alarm of its own for each login's try at deleting one."""
    n = Alarm.objects.count()
    return Alarm.objects.create(building=building, kind="intrusion", name=f"Extra {n}", identifier=f"EXTRA-{n}")


def _spare_surveillance(surveillance):
    """A surveillance without assessment (so it may be deleted) for each login's try."""
    n = CameraSurveillance.objects.filter(group=surveillance.group).count()
    return CameraSurveillance.objects.create(
        group=surveillance.group, site=surveillance.site, name=f"Extra {n}", code=f"KAM-EXTRA-{n}", purpose_crime=True
    )


def _spare_camera(camera):
    n = Camera.objects.count()
    return Camera.objects.create(surveillance=camera.surveillance, identifier=f"EXTRA-{n}", placement="Extra")


def _spare_building(site):
    """A building of its own for each login's try at deleting one."""
    n = site.buildings.count()
    return Building.objects.create(site=site, name=f"Extra {n}", code=f"EXTRA-{n}")


def _spare_site(site):
    """An empty site in the same unit for each login's try at deleting one."""
    n = Site.objects.filter(group=site.group).count()
    return Site.objects.create(group=site.group, unit=site.unit, name=f"Extra {n}", code=f"EXTRA-{n}")


def _target(kind, target, group):
    """The record an action is tried on, and its unit."""
    made = {"involved": ("incident", _involved), "cover": ("policy", _cover), "review": ("document", _open_review)}
    base, make = made.get(kind, (kind, None))
    obj, unit = target_object(base, target, group)
    return (make(obj) if make else obj), unit


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_actions_need_the_permission_on_the_records_unit(client, client_for, group, action, target):
    obj, unit = _target(action.kind, target, group)
    base = obj.document if action.kind == "review" else obj.incident if action.kind == "involved" else obj
    base = base.policy if action.kind == "cover" else base
    for login in sorted(LOGINS, key=lambda login: _may(login, action.needs, unit)):
        subject = action.prepare(base) if action.prepare else obj
        url = reverse(action.name, args=[subject.pk])
        c = _client(client, client_for, login)
        response = c.get(url) if action.method == "get" else c.post(url, action.post(subject, login))
        effect = action.done(subject, login) if action.done else None
        if login is None:
            assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url
            assert not effect, f"anonymous: {url} took effect"
        elif _may(login, action.needs, unit):
            expected = 200 if action.method == "get" else 302
            assert response.status_code == expected, f"{login} could not {action.name} on {url}"
            assert effect is not False, f"{login}: {action.name} on {url} had no effect"
        else:
            expected = action.partly if allowed(login, action.needs[0], unit) else 404
            assert response.status_code == expected, f"{login} on {url}: {response.status_code}, not {expected}"
            assert not effect, f"{login}: {action.name} on {url} took effect"


# Acknowledging: only a person actually asked may acknowledge a document, and the refusal names
# nothing (the same 404 as for a document that does not exist).


@pytest.mark.parametrize("classification", ["internal", "classified"])
def test_only_a_person_asked_may_acknowledge(client, client_for, group, user_for, classification):
    from varna.documents import acknowledgements
    from varna.documents.models import Acknowledgement

    sof = OrgUnit.objects.get(group=group, code="SOF")
    document = Document.objects.filter(unit=sof, status="in_force").first()
    Document.objects.filter(pk=document.pk).update(
        classification=classification, classification_ground="OSL 18 kap. 8 §" if classification == "classified" else ""
    )
    asked, others = "medarbetare", [login for login in LOGINS if login != "medarbetare"]
    acknowledgements.request_acknowledgement(document, people=[Person.objects.get(user=user_for(asked))])
    url = reverse("documents:acknowledge", args=[document.pk])
    for login in others:
        response = _client(client, client_for, login).post(url, follow=login is not None)
        if login is None:
            assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
            continue
        assert response.status_code in (403, 404), f"{login} acknowledged {document}"
        assert document.title not in response.content.decode(), f"{login} was told the title"
    assert not Acknowledgement.objects.filter(document=document, acknowledged_at__isnull=False).exists()
    response = client_for(asked).post(url)
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(
        document=document, person__user=user_for(asked), acknowledged_at__isnull=False
    ).exists()


def test_a_notification_is_read_only_by_its_recipient(client, client_for, group, user_for):
    from varna.core.models import Notification

    notification = Notification.objects.create(recipient=user_for("chef"), subject="Till chefen", url="/risker/")
    url = reverse("notification-read", args=[notification.pk])
    for login in sorted(LOGINS, key=lambda login: login == "chef"):  # the recipient last
        response = _client(client, client_for, login).post(url)
        notification.refresh_from_db()
        if login is None:
            assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
        elif login == "chef":
            assert response.status_code == 302 and notification.read_at is not None
        else:
            assert response.status_code == 404 and notification.read_at is None, login


# The change history in Django admin is for superusers only (the app's own history is on each
# record's page, covered by the detail entries above).
ADMIN_HISTORY = ["organisation_orgunit", "organisation_person", "organisation_roleassignment", "organisation_body"]


@pytest.mark.parametrize("model", ADMIN_HISTORY)
def test_admin_history_views_are_for_superusers_only(client, client_for, group, model):
    from django.apps import apps

    app_label, model_name = model.split("_", 1)
    obj = apps.get_model(app_label, model_name).objects.first()
    url = reverse(f"admin:{model}_history", args=[obj.pk])
    for login in [*LOGINS, "admin"]:
        response = _client(client, client_for, login).get(url)
        if login == "admin":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], login

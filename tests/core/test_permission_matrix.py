"""The permission matrix: every organisation URL × every demo role × own / other unit.

The expectations are written out as data (who may do what where), independent of the code
that enforces them, so that any leak across units fails here. Areas add their URLs to
`ENTRIES` as they are built.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from varna.documents.models import Document
from varna.organisation.models import ExternalParty, OrgUnit, Person, RoleAssignment

# What each demo login may do, by unit code of the subtree (None = nothing). From the profile's
# demo section: chef is head of TF, forvaltningssamordnare is security coordinator of TF,
# lasare reads SOF, medarbetare has no role.
SCOPES = {
    "samordnare": {"view": "HK", "change": "HK", "manage": "HK", "classified": "HK"},
    "chef": {"view": "TF", "change": "TF"},
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
    kind: str  # unit | person | party | role


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
    if kind == "document":
        document = (
            Document.objects.filter(unit__path__startswith=unit.path).exclude(classification="classified").first()
        )
        return document, document.unit
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
)


def _client(client, client_for, login):
    return client_for(login) if login else client


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize("entry", DETAIL, ids=lambda e: f"{e.name}-{e.target}")
def test_detail_and_edit_pages(client, client_for, group, login, entry):
    obj, unit = target_object(entry.kind, entry.target, group)
    url = reverse(entry.name, args=[obj.pk])
    response = _client(client, client_for, login).get(url)
    if login is None:
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    elif allowed(login, entry.action, unit):
        assert response.status_code == 200
    else:
        assert response.status_code == 404, f"{login} reached {url}"


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize("entry", [e for e in DETAIL if e.name.endswith("-edit")], ids=lambda e: f"{e.name}-{e.target}")
def test_posting_an_edit_outside_the_scope_changes_nothing(client, client_for, group, login, entry):
    obj, unit = target_object(entry.kind, entry.target, group)
    before = type(obj).objects.get(pk=obj.pk).updated_at
    response = _client(client, client_for, login).post(reverse(entry.name, args=[obj.pk]), {"name": "Hacked"})
    if login is None:
        assert response.status_code == 302
    elif not allowed(login, entry.action, unit):
        assert response.status_code == 404
    assert type(obj).objects.get(pk=obj.pk).updated_at == before or allowed(login, entry.action, unit)


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("organisation:unit-create", "manage"),
        ("organisation:role-create", "manage"),
        ("organisation:person-create", "change"),
        ("organisation:party-create", "change"),
        ("documents:create", "change"),
    ],
)
def test_create_pages_need_the_action_somewhere(client, client_for, group, login, name, action):
    response = _client(client, client_for, login).get(reverse(name))
    if login is None:
        assert response.status_code == 302
    elif SCOPES[login].get(action):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


# List pages: the links to records of each unit subtree must appear exactly where the role reaches.
LIST_PAGES = ["organisation:group", "organisation:people", "organisation:parties", "documents:list"]


def _links(group, code, name):
    root = OrgUnit.objects.get(group=group, code=code)
    if name == "organisation:group":
        objects = OrgUnit.objects.filter(path__startswith=root.path)
    elif name == "organisation:people":
        objects = Person.objects.filter(unit__path__startswith=root.path)
    elif name == "documents:list":
        objects = Document.objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
    else:
        objects = ExternalParty.objects.filter(unit__path__startswith=root.path).exclude(classification="classified")
    links = [f'href="{obj.get_absolute_url()}"' for obj in objects]
    assert links
    return links


@pytest.mark.parametrize("login", [login for login in LOGINS if login])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_lists_show_only_what_the_role_covers(client_for, group, login, name):
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

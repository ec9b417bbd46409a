"""A municipality starts without a demo (issue 12): `varna setup` and the first-run page."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from varna.organisation import first_run
from varna.organisation.demo import load_demo
from varna.organisation.models import (
    Body,
    IdentityProviderGroupMapping,
    MunicipalGroup,
    OrgUnit,
    Person,
    RoleAssignment,
)
from varna.organisation.profiles import load_profile
from varna.organisation.setup import Coordinator, plan, set_up

# A profile written for the test, as a fourth municipality would write one: no demo section.
OWN_PROFILE = """\
profile: ostra-vik
municipality:
  name: Östra Viks kommun
  group_name: Östra Viks kommunkoncern
  policy_title: Säkerhetspolicy för Östra Viks kommun
body_kinds:
  - {key: council, name: {sv: Kommunfullmäktige, en: Municipal council}}
  - {key: board, name: {sv: Kommunstyrelsen, en: Executive board}}
  - {key: committee, name: {sv: Nämnd, en: Committee}, plural: {sv: Nämnder, en: Committees}}
unit_levels:
  - key: municipality
    name: {sv: Kommun, en: Municipality}
    plural: {sv: Kommuner, en: Municipalities}
    expects_head: false
  - {key: office, name: {sv: Kontor, en: Office}, plural: {sv: Kontor, en: Offices}}
role_types:
  - key: coordinator
    name: {sv: Säkerhetssamordnare, en: Security coordinator}
    permissions: [view, change, manage]
    classified: true
    responsibility: coordinator
  - key: head
    name: {sv: Chef, en: Head}
    permissions: [view, change]
    responsibility: head
obligations:
  - id: OV-1
    area: organisation
    text: {sv: Varje kontor har en chef., en: Every office has a head.}
"""

PERSON = {"first_name": "Maja", "last_name": "Ek", "email": "maja.ek@ostravik.se", "login": "maja"}


@pytest.fixture
def own_profile(tmp_path, monkeypatch, settings):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "ostra-vik.yaml").write_text(OWN_PROFILE, encoding="utf-8")
    monkeypatch.setenv("VARNA_PROFILE_DIRS", str(folder))
    settings.DATA_DIR = tmp_path / "data"
    load_profile.cache_clear()
    yield folder / "ostra-vik.yaml"
    load_profile.cache_clear()


def test_set_up_from_a_shipped_profile_makes_the_group_its_top_unit_bodies_and_coordinator(db):
    profile = load_profile("harjedalen")
    result = set_up(profile, Coordinator(**PERSON))
    group = MunicipalGroup.objects.get()
    assert (group.municipality_name, group.profile_key) == ("Härjedalens kommun", "harjedalen")
    top = OrgUnit.objects.get(group=group)
    assert (top.name, top.kind, top.parent) == ("Härjedalens kommun", "group", None)
    # One body for each kind described in the singular; committees and company boards are many.
    assert sorted(Body.objects.filter(group=group).values_list("kind", flat=True)) == [
        "council",
        "crisis_board",
        "executive_board",
    ]
    role = RoleAssignment.objects.get(person__group=group)
    assert (role.role, role.unit, role.person.user.username) == ("group_security_coordinator", top, "maja")
    assert get_user_model().objects.get(username="maja").check_password(result.password)
    # Nothing invented: no documents, risks, incidents or insurance.
    assert group.units.count() == 1 and group.people.count() == 1


def test_set_up_with_single_sign_on_maps_the_identity_provider_group(db):
    set_up(load_profile("ale"), Coordinator(sso_group="sg-sakerhet"))
    mapping = IdentityProviderGroupMapping.objects.get()
    assert mapping.idp_group == "sg-sakerhet" and mapping.unit.parent is None
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"login": "has space"}, "login"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_wrong_input_is_refused_by_field_and_nothing_is_created(db, change, field):
    with pytest.raises(ValidationError) as caught:
        set_up(load_profile("harjedalen"), Coordinator(**{**PERSON, **change}))
    assert field in caught.value.message_dict
    assert not MunicipalGroup.objects.exists() and not get_user_model().objects.exists()


def test_a_municipality_is_set_up_once_and_a_taken_login_is_refused(db):
    set_up(load_profile("harjedalen"), Coordinator(**PERSON))
    with pytest.raises(ValidationError) as caught:
        set_up(load_profile("harjedalen"), Coordinator(**PERSON))
    assert set(caught.value.message_dict) == {"profile", "login"}
    assert MunicipalGroup.objects.count() == 1


def test_the_setup_section_names_the_top_unit_and_bodies(db, own_profile):
    own_profile.write_text(
        OWN_PROFILE
        + """setup:
  top_unit: {name: Östra Vik, code: OV, body: ks}
  bodies:
    - {key: kf, kind: council, name: Kommunfullmäktige i Östra Vik}
    - {key: ks, kind: board, name: Kommunstyrelsen i Östra Vik, parent: kf}
""",
        encoding="utf-8",
    )
    load_profile.cache_clear()
    result = set_up(load_profile("ostra-vik"), Coordinator(**PERSON))
    assert (result.top_unit.name, result.top_unit.code, result.top_unit.kind) == ("Östra Vik", "OV", "municipality")
    assert result.top_unit.responsible_body.name == "Kommunstyrelsen i Östra Vik"
    assert result.top_unit.responsible_body.parent.name == "Kommunfullmäktige i Östra Vik"


def test_without_a_setup_section_the_plan_follows_the_profile(own_profile):
    what = plan(load_profile("ostra-vik"))
    assert what["top_unit"] == {"name": "Östra Viks kommun", "code": "OSTRAVIK", "level": "municipality", "body": None}
    assert [b["name"] for b in what["bodies"]] == ["Kommunfullmäktige", "Kommunstyrelsen"]
    assert what["role"] == "coordinator"


def test_varna_setup_takes_a_profile_file_and_installs_it(db, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    source = tmp_path / "ostra-vik.yaml"
    source.write_text(OWN_PROFILE, encoding="utf-8")
    out = io.StringIO()
    call_command("setup_group", profile=str(source), no_input=True, stdout=out, **PERSON)
    printed = out.getvalue()
    assert "Östra Viks kommun" in printed and "maja" in printed
    # The group finds its profile by key from now on.
    assert (settings.DATA_DIR / "profiles" / "ostra-vik.yaml").read_text(encoding="utf-8") == OWN_PROFILE
    load_profile.cache_clear()
    assert load_profile(MunicipalGroup.objects.get().profile_key).municipality["name"] == "Östra Viks kommun"
    load_profile.cache_clear()


def test_varna_setup_reports_a_broken_profile_with_its_line(db, tmp_path):
    source = tmp_path / "broken.yaml"
    source.write_text(OWN_PROFILE.replace("responsibility: head", "responsibility: boss"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.yaml, rad \d+"):
        call_command("setup_group", profile=str(source), no_input=True, **PERSON)
    assert not MunicipalGroup.objects.exists()


def test_varna_setup_without_input_says_what_is_missing(db):
    with pytest.raises(CommandError, match="--first-name"):
        call_command("setup_group", profile="harjedalen", no_input=True, login="maja")


# The first-run page.


@pytest.fixture
def key(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return first_run.setup_key()


def _form(key, **extra):
    return {
        "key": key,
        "profile": "harjedalen",
        **PERSON,
        "password1": "ett långt lösenord 42",
        "password2": "ett långt lösenord 42",
        **extra,
    }


def test_the_first_run_page_needs_the_key(db, client, key):
    url = reverse("organisation:first-run")
    assert client.get(url).status_code == 403
    assert client.get(url + "?nyckel=wrong").status_code == 403
    assert client.post(url, _form("wrong")).status_code == 403
    assert not MunicipalGroup.objects.exists()
    response = client.get(url + f"?nyckel={key}")
    assert response.status_code == 200 and "Set up Värna" in response.content.decode()


def test_the_first_run_page_sets_up_logs_in_and_is_gone(db, client, key):
    url = reverse("organisation:first-run")
    response = client.post(url, _form(key))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "Härjedalens kommun is set up" in home and "Maja Ek" in home
    assert not first_run.token_file().exists()
    assert client.get(url + f"?nyckel={key}").status_code == 404


def test_the_first_run_page_shows_errors_at_their_fields(db, client, key):
    url = reverse("organisation:first-run")
    response = client.post(url, _form(key, password2="något annat", profile=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords differ." in body and "Choose a profile or upload your own." in body
    assert not MunicipalGroup.objects.exists()


def test_the_first_run_page_takes_an_own_profile_file(db, client, key, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ostra-vik.yaml", OWN_PROFILE.encode(), content_type="application/x-yaml")
    response = client.post(reverse("organisation:first-run"), {**_form(key, profile=""), "profile_file": upload})
    assert response.status_code == 302
    assert MunicipalGroup.objects.get().profile_key == "ostra-vik"
    assert (settings.DATA_DIR / "profiles" / "ostra-vik.yaml").exists()
    load_profile.cache_clear()


def test_a_broken_profile_file_is_reported_at_the_field(db, client, key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("eget.yaml", b"profile: [unclosed", content_type="application/x-yaml")
    response = client.post(reverse("organisation:first-run"), {**_form(key, profile=""), "profile_file": upload})
    assert response.status_code == 200 and "eget.yaml" in response.content.decode()
    assert not MunicipalGroup.objects.exists()


def test_the_login_page_says_how_to_begin_on_an_empty_database(db, client):
    assert "has no municipality yet" in client.get(reverse("login")).content.decode()


def test_serve_prints_the_first_run_link_on_an_empty_database(db, capsys, settings, tmp_path):
    from varna.cli import _print_first_run_link

    settings.DATA_DIR = tmp_path
    _print_first_run_link("0.0.0.0", 8000)  # noqa: S104
    printed = capsys.readouterr().out
    assert f"http://127.0.0.1:8000/organisation/kom-igang/?nyckel={first_run.setup_key()}" in printed


# The first week's checklist on the start page.


def test_a_new_municipality_sees_its_first_week_ticked_from_the_registers(db, client):
    result = set_up(load_profile("harjedalen"), Coordinator(**PERSON))
    client.force_login(result.user)
    page = client.get(reverse("home")).content.decode()
    assert "The first week" in page
    for step in (
        "Import the units and people",
        "Give the heads and coordinators their roles",
        "Register the governing documents",
        "Start the risk and vulnerability analysis",
        "Import the earlier incidents",
    ):
        assert step in page
    assert page.count('class="done"') == 0
    # A unit and a person with a role in it: two steps are done, and say what the register holds.
    unit = OrgUnit.objects.create(
        group=result.group, parent=result.top_unit, kind="administration", name="Tekniska", code="TF"
    )
    person = Person.objects.create(group=result.group, first_name="Per", last_name="Lind", unit=unit)
    RoleAssignment.objects.create(person=person, role="head", unit=unit)
    page = client.get(reverse("home")).content.decode()
    assert page.count('class="done"') == 2 and "2 units, 2 people" in page


def test_the_checklist_goes_once_every_step_is_done(db, client):
    group, _ = load_demo(load_profile("harjedalen"))
    # The demo holds every first step: it is past its first week.
    group.refresh_from_db()
    assert group.first_steps_done_on is not None
    client.force_login(get_user_model().objects.get(username="samordnare"))
    assert "The first week" not in client.get(reverse("home")).content.decode()
    group.first_steps_done_on = None
    group.save()
    assert "The first week" not in client.get(reverse("home")).content.decode()
    group.refresh_from_db()
    assert group.first_steps_done_on is not None  # found done again, and not computed again


def test_a_reader_does_not_see_the_checklist(db, client):
    result = set_up(load_profile("harjedalen"), Coordinator(**PERSON))
    reader = get_user_model().objects.create_user("lasa", password="x")
    person = Person.objects.create(
        group=result.group, first_name="Lo", last_name="Ek", unit=result.top_unit, user=reader
    )
    RoleAssignment.objects.create(person=person, role="reader", unit=result.top_unit)
    client.force_login(reader)
    page = client.get(reverse("home"))
    assert page.status_code == 200 and "The first week" not in page.content.decode()


def test_varna_setup_asks_for_what_it_is_not_given(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["VARNA_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "varna.cli", "setup", "--profile", "karlskrona"],
        input="Maja\nEk\n\nmaja\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "Förnamn: Efternamn: E-post: Användarnamn: " in done.stdout
    assert "Karlskrona kommun är uppsatt" in done.stdout and "Logga in som maja" in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "varna.cli", "setup", "--profile", "karlskrona", "--no-input", "--login", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 1 and "redan uppsatt" in again.stderr and "Traceback" not in again.stderr

"""Policy profiles: the three built-in profiles load, each with its own vocabulary; a broken
profile is refused with a message naming the file, the line and the field; the organisation
checks bound to AL-8 and KK-12 answer from the registers."""

import datetime

import pytest
from django.utils import timezone, translation

from varna.core.obligations import Status, evaluate
from varna.organisation.demo import load_demo
from varna.organisation.models import OrgUnit, Person, RoleAssignment
from varna.organisation.profiles import BUILTIN_DIR, available_profiles, load_profile, parse_profile
from varna.organisation.schema import ProfileError

BUILTIN = ("harjedalen", "ale", "karlskrona")


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def harjedalen_text() -> str:
    return (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of `text` that contains `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")


def errors_of(text: str, filename: str = "harjedalen.yaml") -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, filename)
    return caught.value.errors


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- the built-in profiles ----------------------------------------------------------------


@pytest.mark.parametrize("key", BUILTIN)
def test_every_built_in_profile_loads(key):
    profile = load_profile(key)
    assert profile.key == key
    assert profile.filename == f"{key}.yaml"
    assert key in available_profiles()
    assert profile.data["demo"]["units"], "each built-in profile has a demo organisation"


@pytest.mark.parametrize(
    ("key", "prefix", "count"), [("harjedalen", "HJ", 12), ("ale", "AL", 11), ("karlskrona", "KK", 14)]
)
def test_every_obligation_of_the_policy_is_in_its_profile(key, prefix, count):
    ids = [o["id"] for o in load_profile(key).obligations]
    assert ids == [f"{prefix}-{n}" for n in range(1, count + 1)]


@pytest.mark.parametrize("key", BUILTIN)
def test_demo_has_the_uniform_logins(key):
    people = load_profile(key).data["demo"]["people"]
    logins = {p["login"] for p in people if p.get("login")}
    assert logins == {"samordnare", "kommunchef", "chef", "forvaltningssamordnare", "lasare", "medarbetare"}
    by_login = {p["login"]: p for p in people if p.get("login")}
    head_of = {r["unit"] for r in by_login["chef"]["roles"] if r["role"] == "head"}
    coordinator_of = {
        r["unit"] for r in by_login["forvaltningssamordnare"]["roles"] if r["role"] == "security_coordinator"
    }
    assert head_of & coordinator_of, "the coordinator works in the same unit as the head"
    reader_of = {r["unit"] for r in by_login["lasare"]["roles"]}
    assert reader_of and not reader_of & head_of, "the reader reads another unit"
    assert by_login["medarbetare"]["roles"] == []


def test_ale_speaks_of_sectors_and_the_kommunchef():
    ale = load_profile("ale")
    with translation.override("sv"):
        assert ale.level_name("sector") == "Sektor"
        assert ale.level_name("sector", plural=True) == "Sektorer"
        assert ale.role_name("chief_executive") == "Kommunchef"
    assert ale.unit_levels["sector"]["head_title"]["sv"] == "Sektorchef"
    assert "administration" not in ale.unit_levels
    assert ale.document_kinds["routine"]["decided_by_role"] == "chief_executive"  # AL-6
    assert ale.document_kinds["supplement"]["decided_by_role"] == "head"  # AL-7
    assert ale.data["risk_matrix"]["dimensions"][0]["key"] == "life_health"  # AL-1
    assert len(ale.data["required_routines"]) == 6  # AL-5


def test_harjedalen_speaks_of_forvaltningar():
    harjedalen = load_profile("harjedalen")
    with translation.override("sv"):
        assert harjedalen.level_name("administration") == "Förvaltning"
    assert "sector" not in harjedalen.unit_levels


def test_karlskrona_covers_its_companies():
    karlskrona = load_profile("karlskrona")
    assert karlskrona.company_levels() == ["company"]
    with translation.override("sv"):
        assert karlskrona.level_name("company", plural=True) == "Kommunala bolag"
        assert karlskrona.level_name("administration") == "Förvaltning"

    def companies(units):
        for unit in units:
            if unit["level"] == "company":
                yield unit["name"]
            yield from companies(unit["children"])

    names = list(companies(karlskrona.data["demo"]["units"]))
    assert len(names) == 9
    assert "Karlskrona Moderbolag AB" in names
    assert karlskrona.document_kinds["guideline"]["decided_by_body"] == "executive_board"  # KK-13


# --- errors name the file, the line and the field -----------------------------------------


def test_a_misspelt_field_names_file_line_and_field_and_suggests_the_right_name(harjedalen_text):
    text = replace_once(harjedalen_text, "    expects_coordinator: true", "    expects_cordinator: true")
    line = line_of(text, "expects_cordinator")
    assert errors_of(text) == [
        f"harjedalen.yaml, line {line}, field 'unit_levels[1].expects_cordinator': "
        "unknown field (did you mean 'expects_coordinator'?)"
    ]


def test_a_missing_required_field_is_named(harjedalen_text):
    text = replace_once(harjedalen_text, "  policy_title: Säkerhetspolicy Härjedalens kommun\n", "")
    (error,) = errors_of(text)
    line = line_of(text, "  name: Härjedalens kommun")  # the mapping that lacks the field
    assert error == f"harjedalen.yaml, line {line}, field 'municipality.policy_title': is required"


def test_a_wrong_value_type_is_named(harjedalen_text):
    text = replace_once(harjedalen_text, "    review_months: 48", "    review_months: every year")
    (error,) = errors_of(text)
    assert error.startswith(
        f"harjedalen.yaml, line {line_of(text, 'every year')}, field 'document_kinds[1].review_months'"
    )
    assert "expected a whole number" in error


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        (
            "    decided_by_body: executive_board",
            "    decided_by_body: executive_bord",
            "document_kinds[1].decided_by_body",
            "executive_bord",
        ),
        (
            "    role: security_coordinator\n    within_days: 180",
            "    role: coordinator\n    within_days: 180",
            "trainings[1].role",
            "coordinator",
        ),
        (
            "          level: administration\n          body: tn",
            "          level: department\n          body: tn",
            "demo.units[0].children[1].level",
            "department",
        ),
        ("          body: tn", "          body: technical", "demo.units[0].children[1].body", "technical"),
        ("{role: head, unit: TF}", "{role: boss, unit: TF}", "demo.people[2].roles[0].role", "boss"),
    ],
)
def test_a_reference_to_something_undeclared_names_file_and_line(harjedalen_text, old, new, field, value):
    text = replace_once(harjedalen_text, old, new)
    (error,) = errors_of(text)
    line = line_of(text, new.split("\n")[0].strip())
    assert error.startswith(f"harjedalen.yaml, line {line}, field '{field}': '{value}' is not declared")


def test_an_unknown_check_is_refused_with_the_known_ones(harjedalen_text):
    text = replace_once(harjedalen_text, "check: units_have_role", "check: units_have_chief")
    (error,) = errors_of(text)
    line = line_of(text, "units_have_chief")
    assert error.startswith(
        f"harjedalen.yaml, line {line}, field 'obligations[7].checks[0]': unknown check 'units_have_chief'"
    )
    assert "units_have_role" in error  # the known checks are listed


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "        levels: [administration]\n        role: head",
            "        level: [administration]\n        role: head",
            "check 'units_have_role' has no parameter 'level' (it takes: levels, role)",
        ),
        (
            "        levels: [administration]\n        role: head",
            "        role: head",
            "check 'units_have_role' needs the parameter 'levels'",
        ),
        (
            "        levels: [administration]\n        role: head",
            "        levels: administration\n        role: head",
            "parameter 'levels' must be a list",
        ),
        (
            "        levels: [administration]\n        role: head",
            "        levels: [sector]\n        role: head",
            "parameter 'levels': 'sector' is not declared in unit_levels",
        ),
        ("        minimum: 3", "        minimum: three", "parameter 'minimum' must be a whole number"),
    ],
)
def test_a_wrong_check_parameter_is_refused(harjedalen_text, old, new, message):
    text = replace_once(harjedalen_text, old, new)
    (error,) = errors_of(text)
    assert error.startswith("harjedalen.yaml, line ")
    assert error.endswith(message)


def test_a_risk_grid_that_is_not_one_cell_per_likelihood_and_consequence_is_refused(harjedalen_text):
    text = replace_once(harjedalen_text, "    - [yellow, red, red, red, red]", "    - [yellow, red, red, red]")
    (error,) = errors_of(text)
    assert error == (
        f"harjedalen.yaml, line {line_of(text, '    - [yellow, red, red, red]')}, field 'risk_matrix.grid[4]': "
        "must have one column per consequence level (5), not 4"
    )


def test_a_risk_grid_with_an_undeclared_zone_is_refused(harjedalen_text):
    text = replace_once(harjedalen_text, "    - [yellow, red, red, red, red]", "    - [yellow, red, red, red, purple]")
    (error,) = errors_of(text)
    assert error.endswith("field 'risk_matrix.grid': zone 'purple' is not declared")


def test_invalid_yaml_is_refused_with_its_line(harjedalen_text):
    text = replace_once(harjedalen_text, "  county: Jämtlands län", "  county: Jämtland: län")
    (error,) = errors_of(text)
    assert error.startswith(f"harjedalen.yaml, line {line_of(text, 'Jämtland: län')}: not valid YAML")


def test_an_unquoted_comma_in_a_flow_mapping_is_caught(harjedalen_text):
    """The YAML gotcha docs/profiles.md warns about: the comma splits the text into a new field."""
    text = replace_once(
        harjedalen_text,
        'en: "Democracy, rule of law and trust"}',
        "en: Democracy, rule of law and trust}",
    )
    (error,) = errors_of(text)
    assert "risk_matrix.dimensions[4].name.rule of law and trust': unknown field" in error


def test_every_problem_is_reported_at_once(harjedalen_text):
    text = replace_once(harjedalen_text, "    expects_coordinator: true", "    expects_cordinator: true")
    text = replace_once(text, "    review_months: 48", "    review_months: 0")
    assert len(errors_of(text)) == 2


def test_an_empty_file_is_refused():
    assert errors_of("# nothing yet\n", "new.yaml") == ["new.yaml: the file is empty"]


# --- where profiles are found --------------------------------------------------------------


@pytest.fixture
def profile_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VARNA_PROFILE_DIRS", str(tmp_path))
    load_profile.cache_clear()
    yield tmp_path
    load_profile.cache_clear()


def test_a_profile_is_loaded_from_a_folder_in_varna_profile_dirs(profile_dir, harjedalen_text):
    text = replace_once(harjedalen_text, "profile: harjedalen", "profile: testkommun")
    (profile_dir / "testkommun.yaml").write_text(text, encoding="utf-8")
    assert "testkommun" in available_profiles()
    profile = load_profile("testkommun")
    assert profile.key == "testkommun"
    assert profile.filename == "testkommun.yaml"
    assert load_profile("ale").key == "ale", "the built-in profiles are still found"


def test_a_folder_in_varna_profile_dirs_comes_before_the_built_in_profiles(profile_dir, harjedalen_text):
    text = replace_once(harjedalen_text, "  county: Jämtlands län", "  county: Jämtland (lokal version)")
    (profile_dir / "harjedalen.yaml").write_text(text, encoding="utf-8")
    assert load_profile("harjedalen").municipality["county"] == "Jämtland (lokal version)"


def test_the_profile_key_must_match_the_file_name(profile_dir, harjedalen_text):
    (profile_dir / "annan.yaml").write_text(harjedalen_text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile("annan")
    assert caught.value.errors == ["annan.yaml: 'profile' is 'harjedalen' but the file is named 'annan'"]


def test_an_unknown_profile_lists_the_available_ones(profile_dir):
    with pytest.raises(ProfileError) as caught:
        load_profile("nowhere")
    assert "No policy profile named 'nowhere'" in caught.value.errors[0]
    assert "ale, harjedalen, karlskrona" in caught.value.errors[0]


def test_a_broken_profile_in_a_folder_names_the_file(profile_dir, harjedalen_text):
    text = replace_once(harjedalen_text, "profile: harjedalen", "profile: trasig")
    text = replace_once(text, "    expects_coordinator: true", "    expects_cordinator: true")
    (profile_dir / "trasig.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile("trasig")
    assert caught.value.errors[0].startswith(f"trasig.yaml, line {line_of(text, 'expects_cordinator')}, field")


# --- the demo organisations and the organisation checks ------------------------------------


@pytest.fixture
def karlskrona(db):
    profile = load_profile("karlskrona")
    group, _logins = load_demo(profile)
    return group, profile


@pytest.fixture
def ale(db):
    profile = load_profile("ale")
    group, _logins = load_demo(profile)
    return group, profile


def appoint(group, code: str, role: str = "head") -> RoleAssignment:
    unit = OrgUnit.objects.get(group=group, code=code)
    person = Person.objects.create(group=group, first_name="Test", last_name="Testsson", unit=unit, title="VD")
    return RoleAssignment.objects.create(person=person, role=role, unit=unit)


@pytest.mark.policy("KK-12")
def test_kk12_names_the_two_municipal_companies_nobody_answers_for(karlskrona):
    group, profile = karlskrona
    status, results = evaluate(profile.obligation("KK-12"), group, profile)
    assert status == Status.NOT_MET
    responsibility, bodies, line = results
    assert responsibility.summary == "2 of 9 municipal companies have no operationally responsible person."
    assert {e.label for e in responsibility.evidence} == {
        "Karlskrona Parkering AB",
        "Karlskrona Turism och Evenemang AB",
    }
    assert all(e.url for e in responsibility.evidence)
    assert bodies.status == Status.MET
    assert bodies.summary == "All 9 municipal companies have a responsible body."
    # The executive board's line reaches every company through the group's top unit.
    assert line.status == Status.MET
    assert line.summary == "Executive board reaches all 9 municipal companies, each with a board of its own."


@pytest.mark.policy("KK-12")
def test_kk12_appointing_a_managing_director_closes_one_gap(karlskrona):
    group, profile = karlskrona
    appoint(group, "PARK")
    status, results = evaluate(profile.obligation("KK-12"), group, profile)
    assert status == Status.NOT_MET
    assert results[0].summary == "1 of 9 municipal companies has no operationally responsible person."
    assert [e.label for e in results[0].evidence] == ["Karlskrona Turism och Evenemang AB"]

    appoint(group, "TUR")
    status, results = evaluate(profile.obligation("KK-12"), group, profile)
    # Everyone answers now, but where only the managing director does, it is partly met.
    assert status == Status.PARTLY
    assert "there the head is operationally responsible" in results[0].summary


@pytest.mark.policy("KK-12")
def test_kk12_an_ended_appointment_does_not_count(karlskrona):
    group, profile = karlskrona
    assignment = appoint(group, "PARK")
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    _status, results = evaluate(profile.obligation("KK-12"), group, profile)
    assert results[0].summary.startswith("2 of 9 ")


@pytest.mark.policy("KK-11")
def test_kk11_every_forvaltning_has_a_head_and_a_committee_in_the_karlskrona_demo(karlskrona):
    group, profile = karlskrona
    status, results = evaluate(profile.obligation("KK-11"), group, profile)
    assert status == Status.MET, [r.summary for r in results]


@pytest.mark.policy("AL-8")
def test_al8_is_met_when_every_sector_has_a_responsible_body_and_a_sector_head(ale):
    group, profile = ale
    status, results = evaluate(profile.obligation("AL-8"), group, profile)
    assert status == Status.MET, [r.summary for r in results]
    assert [r.summary for r in results] == [
        "Registered: Municipal council, Executive board.",
        "All 5 sectors have a responsible body.",
        "All 5 sectors have a head.",
    ]


@pytest.mark.policy("AL-8")
def test_al8_is_not_met_when_a_sector_loses_its_head(ale):
    group, profile = ale
    sector = OrgUnit.objects.get(group=group, code="SKF")
    ended = RoleAssignment.objects.filter(unit=sector, role="head").update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert ended == 1
    status, results = evaluate(profile.obligation("AL-8"), group, profile)
    assert status == Status.NOT_MET
    heads = results[2]
    assert heads.status == Status.NOT_MET
    assert heads.summary == "1 of 5 sectors has no head."
    assert [e.label for e in heads.evidence] == ["Sektor kultur och fritid"]


@pytest.mark.policy("AL-8")
def test_al8_a_head_below_the_sector_does_not_stand_in_for_the_sector_head(ale):
    group, profile = ale
    RoleAssignment.objects.filter(unit__code="SKF", unit__group=group, role="head").delete()
    assert RoleAssignment.objects.filter(unit__code="SKF-FI", role="head").exists()
    status, results = evaluate(profile.obligation("AL-8"), group, profile)
    assert status == Status.NOT_MET
    assert [e.label for e in results[2].evidence] == ["Sektor kultur och fritid"]


@pytest.mark.policy("AL-8")
def test_al8_is_not_met_when_a_sector_has_no_responsible_committee(ale):
    group, profile = ale
    OrgUnit.objects.filter(group=group, code="SU").update(responsible_body=None)
    status, results = evaluate(profile.obligation("AL-8"), group, profile)
    assert status == Status.NOT_MET
    assert results[1].summary == "1 of 5 sectors has no responsible body."
    assert [e.label for e in results[1].evidence] == ["Sektor utbildning"]


def test_ale_demo_leaves_a_company_without_anyone_responsible(ale):
    from varna.organisation.services import responsibilities

    group, _profile = ale
    company = OrgUnit.objects.get(group=group, code="AFV")
    responsibility = responsibilities([company])[company.pk]
    assert responsibility.lacks_head
    assert not responsibility.operational


@pytest.mark.parametrize("key", ["ale", "karlskrona"])
def test_the_group_page_shows_the_profiles_vocabulary(db, client, key):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    load_demo(load_profile(key))
    client.force_login(get_user_model().objects.get(username="samordnare"))
    with translation.override("sv"):
        response = client.get(reverse("organisation:group"), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Sektor kultur och fritid" if key == "ale" else "Karlskrona Moderbolag AB") in page

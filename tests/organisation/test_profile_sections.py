"""Each area owns the schema of its own sections of a profile (core.areas: Area.profile_sections,
Area.demo_sections), and a profile written for the whole product loads where an area is not
installed: that area's sections are accepted and left unread, while a key no area owns is still
an error naming the file, the line and the field."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from varna.core import areas
from varna.organisation import profiles
from varna.organisation.profiles import BUILTIN_DIR, parse_profile
from varna.organisation.schema import F, Str

from .test_profiles import errors_of, line_of, replace_once


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def text() -> str:
    return (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")


def without(monkeypatch, *keys: str) -> None:
    """As if the areas' apps were not installed: their declarations are gone from the registry."""
    monkeypatch.setattr(areas, "_registry", {k: v for k, v in areas._registry.items() if k not in keys})


# --- the sections of an area that is not installed -----------------------------------------


def test_a_section_of_an_area_not_installed_is_accepted_and_left_unread(monkeypatch, text):
    text = replace_once(text, "required_covers: [fire, burglary, water, liability]", "required_covers: [spaceship]")
    (error,) = errors_of(text)
    assert error.startswith(
        f"harjedalen.yaml, line {line_of(text, 'spaceship')}, field 'insurance.required_covers[0]': "
        "'spaceship' is not one of: fire, burglary"
    )
    without(monkeypatch, "insurance", "incidents")
    profile = parse_profile(text, "harjedalen.yaml")
    assert profile.data["insurance"] is None and profile.data["incidents"] is None
    assert profile.data["risk_matrix"]["zones"], "the installed areas' sections are read as before"


def test_the_whole_product_profile_loads_with_only_the_organisation(monkeypatch, text):
    """Every section of the areas is accepted (and not checked) when the areas are gone; the
    organisation's sections and the trainings are validated and read as before."""
    text = replace_once(text, "    decided_by_body: executive_board", "    decided_by_body: nobody")
    without(monkeypatch, "documents", "risks", "incidents", "insurance")
    profile = parse_profile(text, "harjedalen.yaml")
    for section in ("document_kinds", "required_routines", "risk_matrix", "incidents", "insurance"):
        assert profile.data[section] is None, section
    for section in ("documents", "vital_functions", "analyses"):
        assert profile.data["demo"][section] is None, section
    assert profile.document_kinds == {}
    assert profile.data["trainings"] and profile.data["demo"]["people"]


def test_a_section_of_an_area_not_built_yet_is_accepted_once_its_area_owns_it(monkeypatch, text):
    text = replace_once(text, "\nobligations:", "\nlocks:\n  - {door: main, code: [1, 2]}\n\nobligations:")
    (error,) = errors_of(text)
    assert error == f"harjedalen.yaml, line {line_of(text, 'locks:')}, field 'locks': unknown field"
    monkeypatch.setattr(areas, "PROFILE_SECTIONS", {**areas.PROFILE_SECTIONS, "crisis": ("locks",)})
    assert parse_profile(text, "harjedalen.yaml").data["locks"] is None


# --- a misspelt key is still an error ------------------------------------------------------


@pytest.mark.parametrize("removed", [(), ("risks", "incidents", "insurance")], ids=["installed", "not-installed"])
def test_a_misspelt_top_level_key_is_an_error_with_its_line(monkeypatch, text, removed):
    without(monkeypatch, *removed)
    text = replace_once(text, "\nrisk_matrix:", "\nrisk_matirx:")
    assert errors_of(text) == [
        f"harjedalen.yaml, line {line_of(text, 'risk_matirx:')}, field 'risk_matirx': "
        "unknown field (did you mean 'risk_matrix'?)"
    ]


def test_a_misspelt_key_of_the_demo_is_an_error_with_its_line(monkeypatch, text):
    without(monkeypatch, "risks", "incidents", "insurance")
    text = replace_once(text, "  vital_functions:", "  vital_funtions:")
    assert errors_of(text) == [
        f"harjedalen.yaml, line {line_of(text, 'vital_funtions:')}, field 'demo.vital_funtions': "
        "unknown field (did you mean 'vital_functions'?)"
    ]


# --- each area's schema and checks ---------------------------------------------------------


def test_a_bad_incident_category_in_the_public_report_names_the_categories(text):
    from varna.incidents.models import Category

    text = replace_once(text, "categories: [graffiti, vandalism]", "categories: [graffiti, vandalsim]")
    assert errors_of(text) == [
        f"harjedalen.yaml, line {line_of(text, 'vandalsim')}, field 'incidents.public_report.categories[1]': "
        f"'vandalsim' is not one of: {', '.join(Category.values)}"
    ]


def test_each_installed_area_declares_exactly_the_sections_it_owns():
    for area in areas.installed():
        assert set(area.profile_sections) == set(areas.PROFILE_SECTIONS.get(area.key, ())), area.key
        assert set(area.demo_sections) == set(areas.DEMO_SECTIONS.get(area.key, ())), area.key


def test_the_profiles_schema_is_composed_of_the_areas_schemas():
    from varna.documents import profile as documents
    from varna.incidents import profile as incidents
    from varna.insurance import profile as insurance
    from varna.risks import profile as risks

    spec = profiles.spec()
    assert spec.fields["incidents"] is incidents.INCIDENTS
    assert spec.fields["insurance"] is insurance.INSURANCE
    assert spec.fields["risk_matrix"] is risks.RISK_MATRIX
    assert spec.fields["document_kinds"] is documents.DOCUMENT_KINDS
    demo = spec.fields["demo"].type
    assert demo.fields["documents"] is documents.DEMO_DOCUMENTS
    assert demo.fields["analyses"] is risks.ANALYSES
    assert list(demo.fields)[:3] == ["bodies", "units", "people"] and list(demo.fields)[-1] == "external_parties"


def test_a_section_is_owned_by_one_area_and_not_by_the_organisation():
    for owned, own in ((areas.PROFILE_SECTIONS, profiles._SECTIONS), (areas.DEMO_SECTIONS, profiles._DEMO)):
        names = [name for key in owned for name in owned[key]]
        assert len(names) == len(set(names))
        assert set(owned) <= set(areas.POLICY_AREAS)
        assert not set(names) & {*own, "obligations", "demo", "external_parties"}


def test_an_area_may_declare_only_the_sections_of_its_policy_area():
    with pytest.raises(ImproperlyConfigured, match="'risk_matrix', which is not the area's"):
        areas.register(areas.Area(key="crisis", profile_sections={"risk_matrix": F(Str())}))
    with pytest.raises(ImproperlyConfigured, match=r"'demo\.analyses', which is not the area's"):
        areas.register(areas.Area(key="crisis", demo_sections={"analyses": F(Str())}))
    assert not areas.is_built("crisis")


def test_the_trainings_keep_their_schema_until_their_area_is_built(text):
    assert not areas.is_built("crisis")
    text = replace_once(text, "audience: role", "audience: everybody")
    (error,) = errors_of(text)
    assert error.startswith(f"harjedalen.yaml, line {line_of(text, 'everybody')}, field 'trainings[")
    assert "'everybody' is not one of: new_employees, all_employees, role" in error


def test_the_document_checks_are_the_documents_areas(monkeypatch, text):
    """The documents area checks its kinds against the organisation's body kinds (a profile check),
    and not at all when it is not installed."""
    text = replace_once(text, "    decided_by_body: executive_board", "    decided_by_body: nobody")
    (error,) = errors_of(text)
    assert "field 'document_kinds[1].decided_by_body': 'nobody' is not declared" in error
    without(monkeypatch, "documents", "risks", "incidents", "insurance")
    parse_profile(text, "harjedalen.yaml")

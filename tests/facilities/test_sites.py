"""The register of sites and buildings (issue 13, first part): create, edit and delete within
the owner unit's scope, errors at the field, stale edits refused, classified sites and buildings
narrowed and their reads logged, the export, and the demo of every profile."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape

from varna.core.forms import STALE_MESSAGE
from varna.core.models import AccessLogEntry
from varna.facilities.models import Building, Site
from varna.organisation.demo import load_demo
from varna.organisation.profiles import BUILTIN_DIR, load_profile, parse_profile
from varna.organisation.schema import ProfileError

GROUND = "OSL 18 kap. 8 §"


def site_data(unit, **extra):
    return {
        "name": "Sveg sporthall",
        "code": "SVEG-SH",
        "kind": "sports",
        "unit": unit.pk,
        "address": "Idrottsvägen 2",
        "postal_code": "84232",
        "town": "Sveg",
        "property_designation": "Härjedalen Sveg 3:200",
        "latitude": "62.03",
        "longitude": "14.35",
        "classification": "internal",
        **extra,
    }


def building_data(**extra):
    return {
        "name": "Hallen",
        "code": "A",
        "year_built": "1984",
        "floor_area": "1250.5",
        "classification": "internal",
        **extra,
    }


def logged(obj, action=None) -> int:
    entries = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )
    return entries.filter(action=action).count() if action else entries.count()


@pytest.fixture
def classified_site(group, unit):
    """A classified site of TF's property management, with an internal building."""
    site = Site.objects.create(
        group=group,
        unit=unit("TF-FA-SV"),
        name="Hemlig pumpstation",
        code="PUMP-1",
        kind="water_works",
        address="Pumpvägen 9",
        classification="classified",
        classification_ground=GROUND,
    )
    Building.objects.create(site=site, name="Pumphuset", code="A")
    return site


# Create, edit, delete ------------------------------------------------------------------------


@pytest.mark.policy("AL-5")
def test_a_site_and_its_buildings_are_registered_edited_and_deleted(client_for, group, unit):
    """The register of physical security's sites and buildings is kept in Värna (AL-5)."""
    client = client_for("chef")
    response = client.post(reverse("facilities:create"), site_data(unit("TF-FA-SV"), using_units=[unit("BUF").pk]))
    assert response.status_code == 302
    site = Site.objects.get(group=group, code="SVEG-SH")
    assert response["Location"] == site.get_absolute_url()
    assert site.postal_code == "842 32" and site.unit == unit("TF-FA-SV")
    assert list(site.using_units.all()) == [unit("BUF")]

    response = client.post(reverse("facilities:building-create", args=[site.pk]), building_data())
    assert response.status_code == 302
    building = site.buildings.get()
    assert building.floor_area == pytest.approx(1250.5)
    page = client.get(site.get_absolute_url()).content.decode()
    assert "Sveg sporthall" in page and "Hallen" in page and "Härjedalen Sveg 3:200" in page

    response = client.post(
        reverse("facilities:edit", args=[site.pk]),
        {**site_data(unit("TF-FA-SV")), "name": "Svegs sporthall", "version": 1},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Svegs sporthall" and site.version == 2
    assert site.history.count() >= 2

    # A site with buildings is not deleted; its buildings go first.
    response = client.post(reverse("facilities:delete", args=[site.pk]))
    assert response.status_code == 409 and Site.objects.filter(pk=site.pk).exists()
    assert client.post(reverse("facilities:building-delete", args=[building.pk])).status_code == 302
    assert client.post(reverse("facilities:delete", args=[site.pk])).status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()


def test_a_reader_cannot_create_edit_or_delete(client_for, group, unit):
    site = Site.objects.get(group=group, code="GLANTAN")  # Äldreomsorg, in lasare's SOF
    client = client_for("lasare")
    assert client.get(site.get_absolute_url()).status_code == 200
    assert client.get(reverse("facilities:create")).status_code == 403
    assert client.get(reverse("facilities:edit", args=[site.pk])).status_code == 404
    assert client.post(reverse("facilities:delete", args=[site.pk])).status_code == 404
    assert (
        client.post(reverse("facilities:building-create", args=[site.pk]), building_data(code="Z")).status_code == 404
    )
    building = site.buildings.first()
    assert client.post(reverse("facilities:building-delete", args=[building.pk])).status_code == 404
    assert Site.objects.filter(pk=site.pk).exists() and Building.objects.filter(pk=building.pk).exists()
    assert "Edit" not in client.get(site.get_absolute_url()).content.decode()


def test_a_site_can_only_be_given_a_unit_where_the_user_may_change(client_for, unit):
    response = client_for("chef").post(reverse("facilities:create"), site_data(unit("SOF")))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "8423", "Write the postal code as five digits, e.g. 842 32."),
        ("latitude", "91", "A latitude is between -90 and 90 degrees."),
        ("longitude", "-181", "A longitude is between -180 and 180 degrees."),
        ("latitude", "1e400", None),
        ("latitude", "abc", None),
        ("longitude", "", "Give both latitude and longitude, or neither."),
        ("code", "SVEG-SK", "Another site already has the code SVEG-SK."),
        ("code", "sveg-sk", "Another site already has the code sveg-sk."),
        ("valid_to", "2020-01-01", "The end date cannot be before the start date."),
        ("name", "", None),
        ("kind", "castle", None),
        ("classification_ground", "", "State the legal ground when a record is classified."),
    ],
)
def test_bad_site_input_is_an_error_at_the_field(client_for, unit, field, value, message):
    data = site_data(unit("TF-FA-SV"), valid_from="2021-01-01", **{field: value})
    if field == "classification_ground":
        data["classification"] = "classified"
    response = client_for("forvaltningssamordnare").post(reverse("facilities:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]
        assert escape(message) in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "A", "Another building on this site already has the code A."),
        ("year_built", "62", "Give the year with four digits, e.g. 1962."),
        ("year_built", "99999999", None),
        ("year_built", "2999", None),
        ("floor_area", "-5", "An area cannot be negative."),
        ("floor_area", "1e12", None),
    ],
)
def test_bad_building_input_is_an_error_at_the_field(client_for, group, field, value, message):
    site = Site.objects.get(group=group, code="SVEG-SK")
    response = client_for("chef").post(
        reverse("facilities:building-create", args=[site.pk]), building_data(**{field: value})
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]


def test_only_a_cleared_role_may_classify(client_for):
    chef = client_for("chef").get(reverse("facilities:create")).context["form"]
    assert "classified" not in [value for value, _label in chef.fields["classification"].choices]
    cleared = client_for("forvaltningssamordnare").get(reverse("facilities:create")).context["form"]
    assert "classified" in [value for value, _label in cleared.fields["classification"].choices]


def test_a_stale_edit_is_refused_and_overwrites_nothing(client_for, group, unit):
    site = Site.objects.get(group=group, code="SVEG-SK")
    url = reverse("facilities:edit", args=[site.pk])
    first = client_for("chef")
    second = client_for("forvaltningssamordnare")
    data = {**site_data(unit("TF-FA-SV"), code="SVEG-SK"), "version": site.version}
    assert second.post(url, {**data, "name": "Svegs skola (ny)"}).status_code == 302
    response = first.post(url, {**data, "name": "Svegs skola (gammal)"})
    assert response.status_code == 200
    assert escape(str(STALE_MESSAGE)) in response.content.decode()
    site.refresh_from_db()
    assert site.name == "Svegs skola (ny)"


def test_a_stale_building_edit_is_refused(client_for, group):
    building = Building.objects.get(site__group=group, site__code="SVEG-SK", code="A")
    url = reverse("facilities:building-edit", args=[building.pk])
    data = {**building_data(code="A"), "version": building.version}
    client = client_for("chef")
    assert client.post(url, {**data, "name": "Nya huset"}).status_code == 302
    response = client.post(url, {**data, "name": "Gamla huset"})
    assert escape(str(STALE_MESSAGE)) in response.content.decode()
    building.refresh_from_db()
    assert building.name == "Nya huset"


# Classified sites and buildings ----------------------------------------------------------------


@pytest.mark.parametrize("login", ["chef", "lasare", "admin"])
def test_a_classified_site_is_nowhere_for_a_reader_not_cleared(client_for, group, classified_site, login):
    client = client_for(login)
    visible = Site.objects.restrict(client_for(login).get(reverse("home")).wsgi_request.user).filter(group=group)
    assert classified_site not in visible
    for url in (
        reverse("facilities:list"),
        f"{reverse('facilities:list')}?q=Hemlig",
        f"{reverse('facilities:list')}?q=PUMP",
        f"{reverse('facilities:list')}?typ=water_works",
        f"{reverse('facilities:list')}?enhet={classified_site.unit_id}",
    ):
        page = client.get(url).content.decode()
        assert "Hemlig pumpstation" not in page and "Pumpvägen" not in page, url
    page = client.get(f"{reverse('facilities:list')}?q=Hemlig").content.decode()
    assert "0 sites" in page
    assert client.get(classified_site.get_absolute_url()).status_code == 404
    building = classified_site.buildings.get()
    assert client.get(building.get_absolute_url()).status_code == 404
    assert client.get(reverse("facilities:edit", args=[classified_site.pk])).status_code == 404
    export = client.get(reverse("facilities:export"))
    assert export.status_code == 200
    assert "Hemlig" not in _xlsx_text(export) and "Pumphuset" not in _xlsx_text(export)
    assert logged(classified_site) == 0


def test_the_count_of_sites_leaves_out_the_classified_ones(client_for, group, unit, classified_site):
    chef = client_for("chef").get(reverse("facilities:list")).context["page"].paginator.count
    cleared = client_for("forvaltningssamordnare").get(reverse("facilities:list")).context["page"].paginator.count
    assert cleared == chef + 1


def test_every_read_of_a_classified_site_is_logged(client_for, classified_site):
    client = client_for("forvaltningssamordnare")
    page = client.get(classified_site.get_absolute_url()).content.decode()
    assert "Hemlig pumpstation" in page and "Pumphuset" in page and "Your reading of this page is logged" in page
    assert logged(classified_site, "view") == 1
    building = classified_site.buildings.get()
    assert logged(building, "view") == 1  # classified with its site
    client.get(f"{reverse('facilities:list')}?q=Hemlig")
    assert logged(classified_site, "view") == 2
    client.get(building.get_absolute_url())
    assert logged(building, "view") == 2
    client.get(reverse("facilities:edit", args=[classified_site.pk]))
    assert logged(classified_site, "edit") == 1
    export = client.get(reverse("facilities:export"))
    assert "Hemlig pumpstation" in _xlsx_text(export)
    assert logged(classified_site, "export") == 1 and logged(building, "export") == 1


def test_a_classified_building_on_an_internal_site_is_shown_only_to_the_cleared(client_for, group):
    site = Site.objects.get(group=group, code="KOMMUNHUS")
    hidden = site.buildings.get(classification="classified")
    chef = client_for("chef")
    page = chef.get(site.get_absolute_url()).content.decode()
    assert "Kommunhuset" in page and hidden.name not in page
    assert chef.get(hidden.get_absolute_url()).status_code == 404
    assert hidden.name not in _xlsx_text(chef.get(reverse("facilities:export")))
    cleared = client_for("forvaltningssamordnare")
    assert hidden.name in cleared.get(site.get_absolute_url()).content.decode()
    assert logged(hidden, "view") == 1 and logged(site) == 0


def test_the_demos_classified_water_works_is_the_group_coordinators_only(client_for, group):
    works = Site.objects.get(group=group, code="SVEG-VV")
    assert works.is_classified
    assert client_for("samordnare").get(works.get_absolute_url()).status_code == 200
    for login in ("chef", "forvaltningssamordnare", "lasare", "admin"):
        assert client_for(login).get(works.get_absolute_url()).status_code == 404, login


# Export --------------------------------------------------------------------------------------


def _xlsx_text(response) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
    )


def test_the_export_holds_what_the_list_shows(client_for, group):
    client = client_for("chef")
    response = client.get(f"{reverse('facilities:export')}?typ=school")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _xlsx_text(response)
    assert "Svegs skola" in text and "Hedebyskolan" in text and "Idrottshall" in text
    assert "Gläntans" not in text and "Kommunförrådet" not in text  # other kinds; Gläntan another unit too
    assert "Härjedalen Sveg 3:112" in text and "62.03412" in text


def test_search_and_filters(client_for, group, unit):
    client = client_for("samordnare")

    def names(query):
        return [s.code for s in client.get(f"{reverse('facilities:list')}?{query}").context["page"]]

    assert names("q=kyrkogatan") == ["SVEG-SK"]
    assert names("q=Sveg+4:77") == ["GLANTAN"]
    assert names("q=hede-sk") == ["HEDE-SK"]
    assert set(names("typ=school")) == {"SVEG-SK", "HEDE-SK"}
    # By unit: the sites it owns and those it uses.
    assert set(names(f"enhet={unit('SOF').pk}")) == {"GLANTAN", "KOMMUNHUS"}
    # Parameters that mean nothing filter nothing.
    assert names("typ=nonsense&enhet=abc&sida=x") == names("")


# Demo ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ale", "karlskrona"])
def test_every_profiles_demo_loads_its_sites(db, key):
    profile = load_profile(key)
    declared = profile.data["demo"]["facilities"]["sites"]
    group, _ = load_demo(profile)
    sites = Site.objects.filter(group=group)
    assert sites.count() == len(declared) >= 5
    assert Building.objects.filter(site__group=group).count() == sum(len(s["buildings"]) for s in declared)
    assert sites.filter(classification="classified").exists()


def test_the_demo_loads_only_what_the_profile_declares(db):
    text = (BUILTIN_DIR / "karlskrona.yaml").read_text(encoding="utf-8")
    start = text.index("\n  facilities:\n")
    profile = parse_profile(text[:start] + "\n", "karlskrona.yaml")
    group, _ = load_demo(profile)
    assert not Site.objects.filter(group=group).exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        unit: SOF-AO\n",
            "        unit: NOPE\n",
            "field 'demo.facilities.sites[3].unit': 'NOPE' is not declared",
        ),
        ("        contact: Eva Lindgren\n", "        contact: Nils Holgersson\n", "'Nils Holgersson' is not declared"),
        ("        code: HEDE-SK\n", "        code: SVEG-SK\n", "'SVEG-SK' is declared twice"),
        ('        latitude: "62.417800"\n', '        latitude: "95.1"\n', "95.1 is outside -90–90"),
        ('        longitude: "13.503200"\n', "", "give both latitude and longitude, or neither"),
        ("        kind: depot\n", "        kind: castle\n", "'castle' is not one of"),
        (
            "        classification_ground: OSL 18 kap. 8 §\n        buildings:\n          - {name: Vattenverket",
            "        buildings:\n          - {name: Vattenverket",
            "a classified record needs its legal ground",
        ),
    ],
)
def test_a_wrong_demo_site_is_refused_with_its_line(old, new, expected):
    text = (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")
    start = text.index("\n  facilities:\n")
    head, section = text[:start], text[start:]
    assert old in section
    with pytest.raises(ProfileError) as caught:
        parse_profile(head + section.replace(old, new, 1), "harjedalen.yaml")
    assert any(expected in error for error in caught.value.errors), caught.value.errors


def test_a_contact_outside_the_readers_scope_is_masked(client_for, group, unit):
    from varna.organisation.models import Person

    site = Site.objects.get(group=group, code="SVEG-SK")
    outsider = Person.objects.filter(group=group, unit__path__startswith=unit("SOF").path).first()
    Site.objects.filter(pk=site.pk).update(contact=outsider)
    chef = client_for("chef")
    for url in (site.get_absolute_url(), reverse("facilities:edit", args=[site.pk])):
        page = chef.get(url).content.decode()
        assert outsider.last_name not in page and "A record you may not see" in page, url
    assert outsider.last_name not in _xlsx_text(chef.get(reverse("facilities:export")))
    assert outsider.last_name in client_for("samordnare").get(site.get_absolute_url()).content.decode()

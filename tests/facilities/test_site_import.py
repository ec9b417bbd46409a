"""Sites and buildings imported from a property register's file (issue 13, first part): dry run,
all or nothing, within the importer's scope, with the column and word mapping and the refused
rows every import has; rows registered as in the file are unchanged."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varna.core import column_mapping
from varna.facilities import site_import
from varna.facilities.models import Building, Site

URL = reverse("facilities:import")
HEADER = "anläggningskod;anläggningsnamn;typ;ägarenhet;gatuadress;postnummer;ort;byggnadskod;byggnadsnamn;byggår;BTA"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def _upload(client, data: bytes, name: str = "fastigheter.csv", **options):
    return client.post(URL, {"action": "preview", "file": SimpleUploadedFile(name, data), **options})


def _errors(response) -> dict[int, list[str]]:
    return {row.number: [e.message for e in row.errors] for row in response.context["plan"].refused}


@pytest.fixture
def classified_site(group, unit):
    site = Site.objects.create(
        group=group,
        unit=unit("TF-FA-SV"),
        name="Hemlig pumpstation",
        code="PUMP-1",
        kind="water_works",
        address="Pumpvägen 9",
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    Building.objects.create(site=site, name="Pumphuset", code="A")
    return site


@pytest.mark.policy("AL-5")
def test_sites_and_buildings_are_imported_after_a_dry_run_with_history(client_for, group):
    client = client_for("samordnare")
    data = _csv(
        "LJUS-SK;Ljusnedals skola;Skola;TF-FA-SV;Skolvägen 1;84094;Ljusnedal;A;Huvudbyggnad;1965;1 250,5",
        "LJUS-SK;Ljusnedals skola;;;;;;B;Gymnastiksal;1980;320",
        "VV-LOS;Lofsdalens vattenverk;water works;TF-GP;;;Lofsdalen;;;;",
    )
    response = _upload(client, data)
    assert response.status_code == 200
    assert response.context["counts"] == {"added": 3, "changed": 0, "unchanged": 0, "refused": 0}
    assert "Ljusnedals skola" in response.content.decode()
    assert not Site.objects.filter(code="LJUS-SK").exists()

    response = client.post(URL, {"action": "apply", "token": response.context["token"]}, follow=True)
    assert "2 sites added or changed, 2 buildings added or changed" in response.content.decode()
    school = Site.objects.get(group=group, code="LJUS-SK")
    assert school.kind == "school" and school.unit.code == "TF-FA-SV" and school.postal_code == "840 94"
    assert school.buildings.get(code="A").floor_area == Decimal("1250.5")
    assert school.history.first().history_change_reason == "Imported from file fastigheter.csv"
    assert school.buildings.get(code="B").history.first().history_change_reason.startswith("Imported from file")
    works = Site.objects.get(group=group, code="VV-LOS")
    assert works.kind == "water_works" and not works.buildings.exists()


def test_changes_to_an_existing_site_are_shown_field_by_field_and_applied(client_for, group):
    client = client_for("chef")  # head of TF: changes TF's sites
    site = Site.objects.get(group=group, code="SVEG-SK")
    version = site.version
    data = _csv("sveg-sk;;;;Kyrkogatan 14;;;A;;1963;", "SVEG-SK;;;;;;;D;Förråd;2020;45")
    response = _upload(client, data)
    assert response.context["counts"] == {"added": 1, "changed": 1, "unchanged": 0, "refused": 0}
    page = response.content.decode()
    assert "Kyrkogatan 12 → Kyrkogatan 14" in page and "1962 → 1963" in page
    client.post(URL, {"action": "apply", "token": response.context["token"]})
    site.refresh_from_db()
    assert site.address == "Kyrkogatan 14" and site.name == "Svegs skola"  # empty cells keep
    assert site.version == version + 1
    assert site.buildings.get(code="A").year_built == 1963
    assert site.buildings.get(code="D").name == "Förråd"
    assert site.history.first().history_change_reason == "Imported from file fastigheter.csv"


def test_one_refused_row_and_nothing_is_written(client_for, group):
    client = client_for("samordnare")
    data = _csv(
        "NY-1;Ny skola;Skola;TF;;;;A;Hus A;;",
        "NY-2;Annan;Skola;NOPE;;;;;;;",  # no such unit
        "NY-3;;;TF;;;;;;;",  # a new site needs a name
        "NY-1;Annat namn;;;;;;B;Hus B;;",  # conflicting site name
        "NY-1;;;;;;;A;Hus A igen;;",  # the same building twice
        "NY-4;Fyra;;TF;;123;;;;1990;",  # postal code, a building value without its code
        "NY-5;Fem;;TF;;;;A;;abc;-5",  # new building without a name, not a year, negative area
    )
    response = _upload(client, data)
    errors = _errors(response)
    assert errors[3] == ["There is no unit with the code NOPE."]
    assert errors[4] == ["A value is required for a new site."]
    assert errors[5] == ["The site NY-1 has another value in this column on row 2."]
    assert errors[6] == ["The same building is also on row 2."]
    assert errors[7] == ["Write the postal code as five digits, e.g. 842 32.", "A building's values need its code."]
    assert errors[8] == ["A value is required.", "“abc” is not a number.", "An area cannot be negative."]
    assert 2 not in errors
    assert response.context["token"] is None
    response = client.post(URL, {"action": "apply", "token": response.context["mapping_token"]})
    assert not Site.objects.filter(code__startswith="NY-").exists()


def test_an_administration_imports_only_into_its_own_units(client_for, group):
    client = client_for("forvaltningssamordnare")  # manages TF
    data = _csv("NY-TF;Ny;;TF-GP;;;;;;;", "NY-SOF;Ny;;SOF;;;;;;;", "GLANTAN;Nytt namn;;;;;;;;;")
    response = _upload(client, data)
    assert _errors(response) == {
        3: ["You may not change sites of the unit SOF."],
        4: ["No site you may change has the code GLANTAN."],
    }
    assert "Gläntans" not in response.content.decode()
    # Moving a site of one's own to another administration's unit is refused too.
    response = _upload(client, _csv("SVEG-SK;;;SOF-AO;;;;;;;"))
    assert _errors(response) == {2: ["You may not change sites of the unit SOF-AO."]}


@pytest.mark.parametrize("login", ["lasare", "medarbetare"])
def test_only_those_who_change_sites_somewhere_may_import(client_for, login):
    client = client_for(login)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?mall=xlsx").status_code == 403
    assert reverse("facilities:import") not in client.get(reverse("facilities:list")).content.decode()


def test_the_list_links_the_import_for_those_who_may(client_for):
    assert f'href="{URL}"' in client_for("chef").get(reverse("facilities:list")).content.decode()


def test_a_classified_site_is_never_named_to_an_uncleared_importer(client_for, classified_site):
    client = client_for("chef")  # changes TF, not cleared for classified records
    response = _upload(client, _csv("pump-1;Nytt namn;;;;;;B;Nytt hus;;"))
    assert _errors(response) == {2: ["No site you may change has the code pump-1."]}
    page = response.content.decode()
    assert "Hemlig pumpstation" not in page and "Pumpvägen" not in page and "Pumphuset" not in page
    # A classified building on a site the importer may change is not named either.
    response = _upload(client, _csv("KOMMUNHUS;;;;;;;b;Nytt namn;;"))
    assert _errors(response) == {2: ["No building you may change has the code b on this site."]}
    assert "Reservkraft" not in response.content.decode()
    # The cleared coordinator changes it.
    response = _upload(client_for("forvaltningssamordnare"), _csv("PUMP-1;Pumpstation Sveg;;;;;;;;;"))
    assert response.context["counts"]["changed"] == 1


def test_a_property_register_export_is_mapped_once_and_its_words_given_a_meaning(client_for, group):
    client = client_for("samordnare")
    data = _csv("OBJ-77;Fritidsgården Sveg;Fritidsgård;Tekniska", header="Objektid;Namn på objekt;Sort;Förvaltare")
    response = _upload(client, data)
    token = response.context["mapping"]["token"]
    response = client.post(
        URL,
        {
            "action": "map",
            "token": token,
            "column_0": "site_code",
            "column_1": "site_name",
            "column_2": "kind",
            "column_3": "unit",
        },
    )
    form = response.context["values_form"]
    assert {(f, w) for _n, f, w, _r, _l in form.items} == {("kind", "fritidsgård"), ("unit", "tekniska")}
    meanings = {"kind": "culture", "unit": "TF"}
    post = {name: meanings[f] for name, f, _w, _r, _l in form.items}
    response = client.post(URL, {"action": "values", "token": response.context["mapping_token"], **post})
    assert response.context["plan"].can_apply
    assert column_mapping.saved_values(group, site_import.IMPORT_KIND) == {
        "kind": {"fritidsgård": "culture"},
        "unit": {"tekniska": "TF"},
    }
    client.post(URL, {"action": "apply", "token": response.context["token"]})
    site = Site.objects.get(group=group, code="OBJ-77")
    assert site.kind == "culture" and site.unit.code == "TF"
    # The next month's file goes straight to the dry run.
    data = _csv("OBJ-78;Fritidsgården Hede;Fritidsgård;Tekniska", header="Objektid;Namn på objekt;Sort;Förvaltare")
    response = _upload(client, data)
    assert response.context["mapping"] is None and response.context["plan"].can_apply


def test_refused_rows_are_downloaded_as_a_workbook(client_for):
    client = client_for("samordnare")
    response = _upload(client, _csv("NY-1;Ny;;TF;;;;;;;", "NY-2;Ny;Slott;TF;;;;;;;", "NY-3;Ny;;NOPE;;;;;;;"))
    sheet = client.post(URL, {"action": "refused", "token": response.context["mapping_token"]})
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 and {rows[1][0], rows[2][0]} == {"NY-2", "NY-3"}


def test_rows_registered_as_in_the_file_are_unchanged_so_the_whole_register_imports_again(client_for, group):
    client = client_for("chef")
    registered = "SVEG-SK;Svegs skola;Skola;TF-FA-SV;Kyrkogatan 12;842 32;Sveg;A;Huvudbyggnad;1962;4200"
    data = _csv(registered, "SVEG-SK;;;;;;;E;Nytt hus;;", "SVEG-UGG;;;;;;;;;;")
    response = _upload(client, data)
    assert response.context["counts"] == {"added": 1, "changed": 0, "unchanged": 2, "refused": 0}
    assert "skip_registered" not in response.context["form"].fields  # nothing to skip: all is matched
    response = client.post(URL, {"action": "apply", "token": response.context["token"]}, follow=True)
    assert Building.objects.filter(site__code="SVEG-SK", code="E").exists()
    # The same file again: everything is unchanged, so there is nothing to import.
    response = _upload(client, data)
    assert response.context["counts"] == {"added": 0, "changed": 0, "unchanged": 3, "refused": 0}
    assert response.context["token"] is None and not response.context["plan"].can_apply


def test_the_checks_take_as_many_queries_for_many_rows_as_for_few(group, user_for):
    user = user_for("forvaltningssamordnare")

    def queries(n):
        rows = [f"S-{i};Site {i};Skola;TF-GP;;;;A;Hus;1990;100" for i in range(n)]
        rows += [f"SVEG-SK;;;;;;;X{i};Hus {i};;" for i in range(n)]
        table = site_import.parse_file(_csv(*rows), "x.csv", group)
        with CaptureQueriesContext(connection) as context:
            plan = site_import.build_plan(table, group, user)
        assert not plan.refused
        return len(context)

    queries(1)  # the user's access, read once
    assert queries(3) == queries(60) <= 10


def test_numbers_are_read_as_registers_write_them():
    read = site_import.read_decimal
    assert read("1 250,5") == Decimal("1250.5")
    assert read("1.250,5") == Decimal("1250.5")
    assert read("1\u00a0250 m²") == Decimal("1250")
    assert read("62,0345") == Decimal("62.0345")
    assert read("62.0345") == Decimal("62.0345")
    assert read(4200.0) == Decimal("4200.0")
    assert read("") is None
    for bad in ("abc", "1,2,3", "NaN", "1e5", True):
        with pytest.raises(ValueError):
            read(bad)


def test_coordinates_both_or_neither_and_in_range(client_for):
    header = "anläggningskod;anläggningsnamn;ägarenhet;latitud;longitud"
    data = _csv("K-1;Ett;TF;62,5;", "K-2;Två;TF;95;14", "K-3;Tre;TF;62,123456789;14,5", header=header)
    response = _upload(client_for("samordnare"), data)
    assert _errors(response) == {
        2: ["Give both latitude and longitude, or neither."],
        3: ["A latitude is between -90 and 90 degrees."],
    }


def test_the_workbook_to_fill_in_has_the_swedish_headers_and_an_example(client_for):
    response = client_for("chef").get(URL + "?mall=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("anläggningskod", "anläggningsnamn", "typ", "ägarenhet")
    assert rows[1][0] == "SVEG-SK"


CELLS = st.one_of(
    st.sampled_from(["", "SVEG-SK", "NY-1", "GLANTAN", "TF", "SOF", "Skola", "Slott", "1 250,5", "62,1", "A", "x;y"]),
    st.text(max_size=12),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=11), max_size=5), apply=st.booleans())
def test_any_file_gives_a_page_never_a_500_and_writes_all_or_nothing(client_for, group, rows, apply):
    client = client_for("forvaltningssamordnare")
    data = _csv(*(";".join(cell.replace(";", ",").replace("\n", " ") for cell in row) for row in rows))
    before = (Site.objects.count(), Building.objects.count())
    response = _upload(client, data)
    assert response.status_code == 200
    token = response.context.get("token")
    plan = response.context.get("plan")
    if apply and token:
        response = client.post(URL, {"action": "apply", "token": token})
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            new_sites = sum(1 for sp in plan.sites if sp.site is None)
            new_buildings = sum(1 for r in plan.rows if r.building_new)
            after = (Site.objects.count(), Building.objects.count())
            assert after == (before[0] + new_sites, before[1] + new_buildings)
            return
    assert (Site.objects.count(), Building.objects.count()) == before

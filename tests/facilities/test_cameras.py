"""The camera surveillance register (issue 13, part 4): create, edit, delete within the site's
unit, cameras and assessments, errors at the field, classified surveillances narrowed and their
reads logged, the yearly review task, the five-year thinning, the AL-5 check, the public list and
the demo of every profile."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from varna.core.forms import STALE_MESSAGE
from varna.core.models import AccessLogEntry, Task
from varna.core.obligations import Status, registry
from varna.facilities import camera_review
from varna.facilities.models import Building, Camera, CameraSurveillance, CameraThinning, InterestAssessment, Site
from varna.facilities.models.cameras import months_before
from varna.organisation.demo import load_demo
from varna.organisation.models import Person
from varna.organisation.profiles import BUILTIN_DIR, load_profile, parse_profile
from varna.organisation.schema import ProfileError

GROUND = "OSL 18 kap. 8 §"


def surveillance_data(site, /, **extra):
    return {
        "name": "Hedebyskolan, entré",
        "code": "KAM-HEDE-2",
        "site": site.pk,
        "purpose_crime": "on",
        "area_covered": "Huvudentrén",
        "recording": "on",
        "retention_days": "14",
        "retention_reason": "Helger",
        "signs_up": "on",
        "classification": "internal",
        **extra,
    }


def assessment_data(person, **extra):
    return {
        "date": timezone.localdate().isoformat(),
        "need": "Skadegörelse",
        "intrusion": "Entrén kvällstid",
        "conclusion": "allowed",
        "decided_by": person.pk,
        **extra,
    }


def logged(obj, action=None) -> int:
    entries = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )
    return entries.filter(action=action).count() if action else entries.count()


def _xlsx_text(response) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.fixture
def hidden(group, unit):
    """A classified surveillance on TF's internal school, with a camera and an assessment."""
    site = Site.objects.get(group=group, code="HEDE-SK")
    surveillance = CameraSurveillance.objects.create(
        group=group,
        site=site,
        name="Hemlig kamera vid entrén",
        code="KAM-HEMLIG",
        purpose_crime=True,
        area_covered="Hemligt bevakat område",
        retention_days=30,
        signs_up=True,
        classification="classified",
        classification_ground=GROUND,
    )
    Camera.objects.create(surveillance=surveillance, identifier="HK1", placement="Hemlig placering")
    InterestAssessment.objects.create(
        surveillance=surveillance,
        date=timezone.localdate(),
        need="Hemligt behov",
        intrusion="Hemligt intrång",
        conclusion="allowed",
    )
    return surveillance


# Create, edit, delete, cameras, assessments ----------------------------------------------------


@pytest.mark.policy("AL-5")
def test_a_surveillance_is_registered_with_cameras_and_an_assessment(client_for, group):
    """Camera surveillance is documented in Värna: purpose, area, technique, retention, signs,
    cameras and the interest-balancing assessment (AL-5, kamerabevakningslag 2018:1200)."""
    client = client_for("chef")
    site = Site.objects.get(group=group, code="HEDE-SK")
    response = client.post(
        reverse("facilities:camera-create"), surveillance_data(site, building=site.buildings.get().pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    surveillance = CameraSurveillance.objects.get(group=group, code="KAM-HEDE-2")
    assert response["Location"] == surveillance.get_absolute_url()
    assert surveillance.sound_recorded is False and surveillance.purposes() == ["crime prevention"]

    url = reverse("facilities:camera-add", args=[surveillance.pk])
    assert client.post(url, {"identifier": "K1", "placement": "Entrén"}).status_code == 302
    response = client.post(url, {"identifier": "k1", "placement": "Igen"})
    assert (
        "Another camera in this surveillance already has the identifier k1."
        in response.context["form"].errors["identifier"]
    )
    response = client.post(url, {"identifier": "K2", "placement": "Gården", "retention_days": "7"})
    assert "Give the reason for a retention of its own." in response.context["form"].errors["retention_reason"]

    chef = Person.objects.get(user__username="chef")
    response = client.post(reverse("facilities:camera-assess", args=[surveillance.pk]), assessment_data(chef))
    assert response.status_code == 302
    page = client.get(surveillance.get_absolute_url()).content.decode()
    assert "Huvudentrén" in page and "Entrén" in page and "Skadegörelse" in page and "(current)" in page

    response = client.post(
        reverse("facilities:camera-surveillance-edit", args=[surveillance.pk]),
        {**surveillance_data(site), "name": "Hedebyskolan, entréer", "version": 1},
    )
    assert response.status_code == 302
    surveillance.refresh_from_db()
    assert surveillance.name == "Hedebyskolan, entréer" and surveillance.version == 2
    assert surveillance.history.count() >= 2

    # With a documented assessment it is ended, not deleted; without, it may go.
    response = client.post(reverse("facilities:camera-surveillance-delete", args=[surveillance.pk]))
    assert response.status_code == 409 and CameraSurveillance.objects.filter(pk=surveillance.pk).exists()
    surveillance.assessments.all().delete()
    camera = surveillance.cameras.get()
    assert client.post(reverse("facilities:camera-delete", args=[camera.pk])).status_code == 302
    assert client.post(reverse("facilities:camera-surveillance-delete", args=[surveillance.pk])).status_code == 302
    assert not CameraSurveillance.objects.filter(pk=surveillance.pk).exists()


def test_a_reader_cannot_create_edit_or_delete(client_for, group):
    surveillance = CameraSurveillance.objects.get(group=group, code="KAM-GLANTAN")  # SOF-AO, lasare's
    client = client_for("lasare")
    assert client.get(surveillance.get_absolute_url()).status_code == 200
    assert client.get(reverse("facilities:camera-create")).status_code == 403
    for name in ("camera-surveillance-edit", "camera-surveillance-delete", "camera-add", "camera-assess"):
        assert client.post(reverse(f"facilities:{name}", args=[surveillance.pk])).status_code == 404, name
    assert client.post(reverse("facilities:camera-delete", args=[surveillance.cameras.first().pk])).status_code == 404
    assert surveillance.cameras.count() == 1 and surveillance.assessments.count() == 1
    assert "Record an assessment" not in client.get(surveillance.get_absolute_url()).content.decode()


def test_a_surveillance_can_only_be_put_on_a_site_the_user_may_change(client_for, group):
    glantan = Site.objects.get(group=group, code="GLANTAN")
    response = client_for("chef").post(reverse("facilities:camera-create"), surveillance_data(glantan))
    assert response.status_code == 200 and "site" in response.context["form"].errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "KAM-SVEG-SK", "Another camera surveillance already has the code KAM-SVEG-SK."),
        ("purpose_crime", "", "Choose at least one purpose."),
        ("purpose", "", "Describe the other purpose."),
        ("live_view", "", "A surveillance has live view, recording or both."),
        ("retention_days", "-1", None),
        ("retention_days", "99999", "Give the retention in days, at most ten years."),
        ("retention_days", "1e9", None),
        ("ended", "2020-01-01", "The end date cannot be before the start date."),
        ("dpia_done", "2024-01-01", "Mark the impact assessment as required, or leave its date empty."),
        ("building", "OTHER", "Choose a building on the surveillance's site."),
        ("area_covered", "", None),
        ("classification_ground", "", "State the legal ground when a record is classified."),
        ("site", "abc", None),
    ],
)
def test_bad_surveillance_input_is_an_error_at_the_field(client_for, group, field, value, message):
    site = Site.objects.get(group=group, code="HEDE-SK")
    data = surveillance_data(site, started="2021-01-01", **{field: value})
    if field == "purpose":
        data["purpose_other"] = "on"
    if field == "live_view":
        data.pop("recording")
    if field == "classification_ground":
        data["classification"] = "classified"
    if field == "building":
        data["building"] = Building.objects.get(site__group=group, site__code="SVEG-SK", code="A").pk
    response = client_for("forvaltningssamordnare").post(reverse("facilities:camera-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]
        assert escape(message) in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2999-01-01", "The date cannot be in the future."),
        ("date", "igår", None),
        ("conclusion", "maybe", None),
        ("conditions", "", "State the conditions."),
        ("decided_by", "", None),
        ("need", "", None),
    ],
)
def test_bad_assessment_input_is_an_error_at_the_field(client_for, group, field, value, message):
    surveillance = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK")
    data = assessment_data(Person.objects.get(user__username="chef"), **{field: value})
    if field == "conditions":
        data["conclusion"] = "conditions"
    before = surveillance.assessments.count()
    response = client_for("chef").post(reverse("facilities:camera-assess", args=[surveillance.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    if message:
        assert message in response.context["form"].errors[field]
    assert surveillance.assessments.count() == before


def test_a_stale_edit_is_refused_and_overwrites_nothing(client_for, group):
    surveillance = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK")
    url = reverse("facilities:camera-surveillance-edit", args=[surveillance.pk])
    data = {**surveillance_data(surveillance.site, code="KAM-SVEG-SK"), "version": surveillance.version}
    assert client_for("forvaltningssamordnare").post(url, {**data, "name": "Ny"}).status_code == 302
    response = client_for("chef").post(url, {**data, "name": "Gammal"})
    assert escape(str(STALE_MESSAGE)) in response.content.decode()
    surveillance.refresh_from_db()
    assert surveillance.name == "Ny"


# Classified ------------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["chef", "lasare", "admin"])
def test_a_classified_surveillance_is_nowhere_for_a_reader_not_cleared(client_for, group, hidden, login):
    client = client_for(login)
    for url in (
        reverse("facilities:cameras"),
        f"{reverse('facilities:cameras')}?q=Hemlig",
        f"{reverse('facilities:cameras')}?q=KAM-HEMLIG&status=alla",
        f"{reverse('facilities:cameras')}?anlaggning={hidden.site_id}&saknar=1",
        hidden.site.get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert "Hemlig kamera" not in page and "KAM-HEMLIG<" not in page and "Hemligt" not in page, url
    assert "0 camera surveillances" in client.get(f"{reverse('facilities:cameras')}?q=Hemlig").content.decode()
    for name in ("camera-surveillance", "camera-surveillance-edit", "camera-assess", "camera-add"):
        assert client.get(reverse(f"facilities:{name}", args=[hidden.pk])).status_code == 404, name
    assert client.get(reverse("facilities:camera-delete", args=[hidden.cameras.get().pk])).status_code == 404
    assert "Hemlig" not in _xlsx_text(client.get(reverse("facilities:camera-export") + "?status=alla"))
    assert logged(hidden) == 0


def test_a_surveillance_on_a_classified_site_is_classified_with_it(client_for, group):
    surveillance = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-VV")
    assert surveillance.classification == "internal" and surveillance.is_classified
    assert client_for("forvaltningssamordnare").get(surveillance.get_absolute_url()).status_code == 404
    assert "KAM-SVEG-VV" not in client_for("admin").get(reverse("facilities:cameras")).content.decode()
    page = client_for("samordnare").get(surveillance.get_absolute_url()).content.decode()
    assert "Classified with its site or building" in page and logged(surveillance, "view") == 1


def test_a_surveillance_of_a_classified_building_is_classified(client_for, group):
    building = Building.objects.get(site__group=group, site__code="KOMMUNHUS", classification="classified")
    surveillance = CameraSurveillance.objects.create(
        group=group,
        site=building.site,
        building=building,
        name="Serverrummets kamera",
        code="KAM-SRV",
        purpose_crime=True,
        area_covered="Serverrummet",
        retention_days=30,
    )
    assert surveillance.is_classified
    assert client_for("chef").get(surveillance.get_absolute_url()).status_code == 404
    assert client_for("forvaltningssamordnare").get(surveillance.get_absolute_url()).status_code == 200


def test_every_read_of_a_classified_surveillance_is_logged(client_for, hidden):
    client = client_for("forvaltningssamordnare")
    page = client.get(hidden.get_absolute_url()).content.decode()
    assert "Hemlig placering" in page and "Hemligt behov" in page and "Your reading of this page is logged" in page
    assert logged(hidden, "view") == 1
    assert logged(hidden.cameras.get(), "view") == 1 and logged(hidden.assessments.get(), "view") == 1
    client.get(f"{reverse('facilities:cameras')}?q=Hemlig")
    assert logged(hidden, "view") == 2
    client.get(reverse("facilities:camera-surveillance-edit", args=[hidden.pk]))
    assert logged(hidden, "edit") == 1
    export = client.get(reverse("facilities:camera-export"))
    assert "Hemlig placering" in _xlsx_text(export)
    assert logged(hidden, "export") == 1 and logged(hidden.cameras.get(), "export") == 1


def test_the_count_of_surveillances_leaves_out_the_classified_ones(client_for, hidden):
    chef = client_for("chef").get(reverse("facilities:cameras")).context["page"].paginator.count
    cleared = client_for("forvaltningssamordnare").get(reverse("facilities:cameras")).context["page"].paginator.count
    assert cleared == chef + 1


# Search, filters, export -------------------------------------------------------------------


def test_search_and_filters(client_for, group):
    client = client_for("samordnare")

    def codes(query):
        return {s.code for s in client.get(f"{reverse('facilities:cameras')}?{query}").context["page"]}

    assert codes("") == {"KAM-SVEG-SK", "KAM-SVEG-FORRAD", "KAM-GLANTAN", "KAM-SVEG-VV"}
    assert codes("status=avslutade") == {"KAM-HEDE-SK"}
    assert len(codes("status=alla")) == 5
    assert codes("saknar=1") == {"KAM-SVEG-FORRAD"}
    assert codes("q=dieselcisternen") == {"KAM-SVEG-FORRAD"}
    assert codes("q=Gläntans") == {"KAM-GLANTAN"}
    site = Site.objects.get(group=group, code="SVEG-SK")
    assert codes(f"anlaggning={site.pk}") == {"KAM-SVEG-SK"}
    assert codes("anlaggning=abc&status=nonsense&sida=x") == codes("")
    assert codes("anlaggning=999999") == set()


def test_the_export_holds_what_the_list_shows(client_for):
    response = client_for("chef").get(f"{reverse('facilities:camera-export')}?q=Svegs+skola")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _xlsx_text(response)
    assert "KAM-SVEG-SK" in text and "Skolgårdens norra del" in text and "Kommunförrådet" not in text
    assert "Gläntan" not in _xlsx_text(client_for("chef").get(reverse("facilities:camera-export")))


def test_the_site_page_links_to_its_surveillance(client_for, group):
    site = Site.objects.get(group=group, code="SVEG-SK")
    page = client_for("chef").get(site.get_absolute_url()).content.decode()
    assert f"{reverse('facilities:cameras')}?anlaggning={site.pk}" in page


# The yearly review -----------------------------------------------------------------------------


def _review_tasks(surveillance):
    return Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(CameraSurveillance), subject_id=str(surveillance.pk)
    )


def test_an_assessment_older_than_eleven_months_gets_one_review_task(client_for, group):
    depot = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-FORRAD")  # assessed 14 months ago
    chef = Person.objects.get(user__username="chef")
    CameraSurveillance.objects.filter(pk=depot.pk).update(responsible=chef)
    depot.refresh_from_db()
    school = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK")  # 3 months ago
    camera_review.open_review_tasks()
    camera_review.open_review_tasks()  # the next day's run: still one open task
    task = _review_tasks(depot).get()
    assert task.owner == depot.responsible and task.state == Task.State.OPEN
    assert task.due_date == timezone.localdate()  # the review was due two months ago
    assert "Kommunförrådet Sveg" in task.title  # chef may read it
    hidden_task = _review_tasks(CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK"))
    assert not hidden_task.exists()
    assert not _review_tasks(school).exists()
    ended = CameraSurveillance.objects.get(group=group, code="KAM-HEDE-SK")
    assert not _review_tasks(ended).exists()  # ended: nothing to review

    # Eleven months and a day after the school's assessment, its review opens too.
    day = months_before(school.latest_assessment().date, -11) + datetime.timedelta(days=1)
    camera_review.open_review_tasks(day)
    assert _review_tasks(school).get().due_date == months_before(school.latest_assessment().date, -12)

    # Recording an assessment closes the task.
    client_for("chef").post(reverse("facilities:camera-assess", args=[depot.pk]), assessment_data(chef))
    assert _review_tasks(depot).get().state == Task.State.DONE


def test_a_review_task_never_names_a_classified_surveillance(group):
    works = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-VV")
    InterestAssessment.objects.filter(surveillance=works).update(date=months_before(timezone.localdate(), 13))
    camera_review.open_review_tasks()
    task = _review_tasks(works).get()
    assert "vattenverk" not in task.title.lower() and "a classified record" in task.title


# The five-year thinning --------------------------------------------------------------------------


def test_the_documentation_is_thinned_five_years_after_the_surveillance_ended(client_for, group):
    ended = CameraSurveillance.objects.get(group=group, code="KAM-HEDE-SK")  # ended 2023-06-30
    assert camera_review.thin(datetime.date(2028, 6, 30)) == 0
    assert CameraSurveillance.objects.filter(pk=ended.pk).exists()
    assert camera_review.thin(datetime.date(2028, 7, 1)) == 1
    assert not CameraSurveillance.objects.filter(pk=ended.pk).exists()
    assert not Camera.objects.filter(surveillance_id=ended.pk).exists()
    assert not CameraSurveillance.history.filter(id=ended.pk).exists()
    log = CameraThinning.objects.get(group=group)
    assert (log.code, log.records_removed, log.ended) == ("KAM-HEDE-SK", 3, datetime.date(2023, 6, 30))
    assert camera_review.thin(datetime.date(2028, 7, 2)) == 0  # once

    page = client_for("forvaltningssamordnare").get(reverse("facilities:camera-thinning")).content.decode()
    assert "KAM-HEDE-SK" in page and "Hedebyskolan" not in page
    assert client_for("chef").get(reverse("facilities:camera-thinning")).status_code == 403


def test_the_daily_job_is_declared():
    from varna.core import areas

    assert "camera_daily_jobs" in areas.schedule()


# The obligation check (AL-5) ---------------------------------------------------------------------


def _check(group, **params):
    return registry.checks["camera_surveillance_documented"].func(group, group.profile, **params)


@pytest.mark.policy("AL-5")
def test_the_check_names_the_surveillance_lacking_a_current_assessment(group):
    result = _check(group)
    assert result.status == Status.NOT_MET  # one of four in use
    assert [e.label for e in result.evidence] == ["Kommunförrådet Sveg, gård och garage"]
    depot = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-FORRAD")
    InterestAssessment.objects.create(
        surveillance=depot, date=timezone.localdate(), need="N", intrusion="I", conclusion="allowed"
    )
    assert _check(group).status == Status.MET
    InterestAssessment.objects.create(
        surveillance=depot, date=timezone.localdate(), need="N", intrusion="I", conclusion="not_allowed"
    )
    assert _check(group).evidence[0].label == "Kommunförrådet Sveg, gård och garage"
    InterestAssessment.objects.filter(surveillance=depot, conclusion="not_allowed").delete()
    CameraSurveillance.objects.filter(pk=depot.pk).update(signs_up=False)
    assert _check(group).evidence[0].label == "Kommunförrådet Sveg, gård och garage"


@pytest.mark.policy("AL-5")
def test_the_check_names_a_classified_surveillance_by_its_kind_only(group):
    works = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-VV")
    CameraSurveillance.objects.filter(pk=works.pk).update(signs_up=False)
    labels = [e.label for e in _check(group).evidence]
    assert "A classified camera surveillance" in labels and not any("vattenverk" in label for label in labels)


@pytest.mark.policy("AL-5")
def test_the_check_without_surveillance_is_not_met(db):
    profile = load_profile("ale")
    text = (BUILTIN_DIR / "ale.yaml").read_text(encoding="utf-8")
    start = text.index("    camera_surveillance:\n")
    group, _ = load_demo(parse_profile(text[:start], "ale.yaml"))
    assert profile.obligation("AL-5") is not None
    result = _check(group)
    assert result.status == Status.NOT_CHECKABLE and result.evidence == []


@pytest.mark.policy("AL-5")
def test_ale_binds_the_check_to_al5():
    checks = [c["check"] for c in load_profile("ale").obligation("AL-5")["checks"]]
    assert "camera_surveillance_documented" in checks


# The public list ---------------------------------------------------------------------------------


def test_the_public_list_shows_only_public_surveillances_in_use(client, group, hidden):
    CameraSurveillance.objects.filter(pk=hidden.pk).update(classification="classified")
    response = client.get(reverse("facilities:cameras-public"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Svegs skola" in page and "Gläntans" in page and "Huvudentrén" in page
    assert "Härjedalens kommun" in page  # the controller
    for secret in ("Hemlig", "vattenverk", "Kommunförrådet", "Hedebyskolan"):
        assert secret not in page, secret
    assert "<script>" not in page


def test_a_classified_site_or_building_keeps_its_surveillance_off_the_public_list(client, group):
    site = Site.objects.get(group=group, code="SVEG-VV")
    CameraSurveillance.objects.filter(site=site).update(classification="public")
    building = Building.objects.get(site__code="KOMMUNHUS", site__group=group, classification="classified")
    CameraSurveillance.objects.create(
        group=group,
        site=building.site,
        building=building,
        name="Serverrummet",
        code="KAM-SRV",
        purpose_crime=True,
        area_covered="Serverrummets dörr",
        retention_days=30,
        classification="public",
    )
    page = client.get(reverse("facilities:cameras-public")).content.decode()
    assert "Staketet runt vattenverket" not in page and "Serverrummets dörr" not in page


def test_the_public_list_names_the_company_as_controller(client, group, unit):
    site = Site.objects.create(group=group, unit=unit("HV"), name="Funäsdalens vattentorn", code="FUN-VT")
    CameraSurveillance.objects.create(
        group=group,
        site=site,
        name="Vattentornet",
        code="KAM-FUN-VT",
        purpose_crime=True,
        area_covered="Tornets dörr",
        retention_days=14,
        classification="public",
    )
    page = client.get(reverse("facilities:cameras-public")).content.decode()
    assert "Tornets dörr" in page and "Härjedalens Vatten AB" in page


def test_the_public_list_is_closed_unless_the_profile_opens_it(db, client):
    group, _ = load_demo(load_profile("karlskrona"))
    assert client.get(reverse("facilities:cameras-public")).status_code == 404
    assert client.get(f"{reverse('facilities:cameras-public')}?kommun={group.pk}").status_code == 404
    assert client.get(f"{reverse('facilities:cameras-public')}?kommun=abc").status_code == 404


# Demo and profile --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["harjedalen", "ale", "karlskrona"])
def test_every_profiles_demo_loads_its_camera_surveillance(db, key):
    profile = load_profile(key)
    declared = profile.data["demo"]["facilities"]["camera_surveillance"]
    group, _ = load_demo(profile)
    assert CameraSurveillance.objects.filter(group=group).count() == len(declared) >= 3
    assert Camera.objects.filter(surveillance__group=group).count() == sum(len(s["cameras"]) for s in declared)
    # Honest: not every surveillance is documented.
    assert _check(group).status in (Status.NOT_MET, Status.PARTLY)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("        site: SVEG-FORRAD\n", "        site: NOPE\n", "'NOPE' is not declared"),
        (
            "        building: A\n        purposes: [crime, order]\n",
            "        building: Z\n        purposes: [crime, order]\n",
            "'Z' is not declared",
        ),
        (
            "        responsible: Helena Björk\n",
            "        responsible: Nils Holgersson\n",
            "'Nils Holgersson' is not declared",
        ),
        ("        code: KAM-GLANTAN\n", "        code: KAM-SVEG-SK\n", "'KAM-SVEG-SK' is declared twice"),
        ("        purposes: [crime, accidents]\n", "        purposes: [fun]\n", "'fun' is not one of"),
        ("        purposes: [crime, accidents]\n", "        purposes: []\n", None),
    ],
)
def test_a_wrong_demo_surveillance_is_refused_with_its_line(old, new, expected):
    text = (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")
    start = text.index("    camera_surveillance:\n")
    head, section = text[:start], text[start:]
    assert old in section
    with pytest.raises(ProfileError) as caught:
        parse_profile(head + section.replace(old, new, 1), "harjedalen.yaml")
    if expected:
        assert any(expected in error for error in caught.value.errors), caught.value.errors


def test_a_wrong_public_camera_list_key_is_refused():
    text = (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile(
            text.replace("  public_camera_list: true\n", "  public_camera_list: maybe\n", 1), "harjedalen.yaml"
        )
    assert any("public_camera_list" in error for error in caught.value.errors)

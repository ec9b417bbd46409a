"""Risks and measures as a coordinator uses them: register, assess, re-assess, treat with a
measure, complete it and be asked to assess again; bad input and stale forms refused."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from varna.core.dates import add_months
from varna.core.models import AccessLogEntry, Notification, Task
from varna.organisation.models import OrgUnit, Person
from varna.risks import services
from varna.risks.models import Analysis, Assessment, Measure, Risk
from varna.risks.views import matrix_counts


@pytest.fixture
def coordinator(client_for):
    """Jonas Berglund, security coordinator of the technical administration (TF)."""
    return client_for("forvaltningssamordnare")


def assessment_data(risk, **values):
    data = {
        "kind": "current",
        "assessed_on": timezone.localdate().isoformat(),
        "likelihood": "3",
        "c_life_health": "2",
        "c_property": "4",
        "reasoning": "Bedömt vid workshop.",
        "expected_version": risk.version,
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_register_assess_and_follow_a_risk_to_a_measure(coordinator, group, unit):
    tf = unit("TF")
    analysis = Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")
    response = coordinator.post(
        reverse("risks:create"),
        {
            "title": "Ras i bergrum",
            "kind": "hazard",
            "category": "Teknisk infrastruktur",
            "analysis": analysis.pk,
            "unit": tf.pk,
            "status": "active",
            "classification": "internal",
        },
    )
    risk = Risk.objects.get(title="Ras i bergrum")
    assert response["Location"] == reverse("risks:assess", args=[risk.pk])
    assert risk.likelihood is None

    response = coordinator.post(reverse("risks:assess", args=[risk.pk]), assessment_data(risk))
    assert response.status_code == 302
    risk.refresh_from_db()
    # Likelihood 3 × worst consequence 4 is red in Härjedalen's grid, reviewed every 6 months.
    assert (risk.likelihood, risk.consequence, risk.level, risk.zone) == (3, 4, 12, "red")
    assert risk.next_review == add_months(timezone.localdate(), 6)
    assert risk.consequences == {"life_health": 2, "property": 4}

    response = coordinator.get(reverse("risks:measure-create") + f"?risk={risk.pk}")
    assert response.context["form"].initial["risks"] == [risk.pk]
    owner = Person.objects.get(group=group, last_name="Sundin")
    response = coordinator.post(
        reverse("risks:measure-create"),
        {
            "title": "Bergförstärkning",
            "unit": tf.pk,
            "owner": owner.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
            "cost_estimate": "250000",
            "status": "planned",
            "source": "risk",
            "risks": [risk.pk],
            "openness": "neutral",
            "classification": "internal",
        },
    )
    measure = Measure.objects.get(title="Bergförstärkning")
    assert response["Location"] == measure.get_absolute_url()
    assert list(measure.risks.all()) == [risk]
    assert "Bergförstärkning" in coordinator.get(risk.get_absolute_url()).content.decode()

    # The measure is done: the risk's owner (none named: the unit's coordinator) must re-assess.
    response = coordinator.post(reverse("risks:measure-complete", args=[measure.pk]), {"version": measure.version})
    measure.refresh_from_db()
    assert measure.status == Measure.State.DONE and measure.completed_on == timezone.localdate()
    task = Task.objects.get(subject_type=ContentType.objects.get_for_model(Risk), subject_id=str(risk.pk))
    assert task.owner.last_name == "Berglund" and task.state == Task.State.OPEN

    risk.refresh_from_db()
    coordinator.post(reverse("risks:assess", args=[risk.pk]), assessment_data(risk, likelihood=1))
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    risk.refresh_from_db()
    assert risk.zone == "yellow" and risk.assessments.count() == 2
    text = coordinator.get(risk.get_absolute_url()).content.decode()
    assert text.count("Bedömt vid workshop.") == 2  # both assessments are kept: the trend


def test_a_completed_measure_notifies_the_named_risk_owner(group, coordinator):
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")  # owner Maria Sundin
    measure = risk.measures.get()
    coordinator.post(reverse("risks:measure-complete", args=[measure.pk]), {"version": measure.version})
    notification = Notification.objects.get(recipient__username="chef")
    assert notification.subject == "Re-assess the risk: Långvarigt elavbrott i hela kommunen"
    # Done once; a second click is refused and creates nothing more.
    response = coordinator.post(
        reverse("risks:measure-complete", args=[measure.pk]), {"version": measure.version + 1}, follow=True
    )
    assert "Only a planned or ongoing measure can be marked as done" in response.content.decode()
    risk_type = ContentType.objects.get_for_model(Risk)
    assert Task.objects.filter(subject_type=risk_type, subject_id=str(risk.pk)).count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"likelihood": "9"}, "Select a valid choice"),
        ({"likelihood": "x"}, "Select a valid choice"),
        ({"c_property": "0"}, "Select a valid choice"),
        ({"c_life_health": "", "c_property": ""}, "Assess the consequence in at least one dimension"),
        ({"assessed_on": "2999-01-01"}, "An assessment cannot be dated in the future"),
        ({"assessed_on": "31/02/2026"}, "Enter a valid date"),
        ({"kind": "guess"}, "Select a valid choice"),
    ],
)
def test_bad_assessments_are_refused_with_a_message(group, coordinator, values, message):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    before = (risk.assessments.count(), risk.version)
    response = coordinator.post(reverse("risks:assess", args=[risk.pk]), assessment_data(risk, **values))
    assert response.status_code == 200
    assert message in response.content.decode()
    risk.refresh_from_db()
    assert (risk.assessments.count(), risk.version) == before


def test_a_stale_assessment_form_is_refused(group, coordinator):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    stale = assessment_data(risk, likelihood=1)
    coordinator.post(reverse("risks:assess", args=[risk.pk]), assessment_data(risk, likelihood=5))
    response = coordinator.post(reverse("risks:assess", args=[risk.pk]), stale)
    assert "Someone else changed the risk" in response.content.decode()
    risk.refresh_from_db()
    assert risk.likelihood == 5


def test_a_stale_edit_overwrites_nothing(group, coordinator, unit):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    form = {
        "title": "Skogsbrand",
        "kind": "hazard",
        "unit": risk.unit_id,
        "status": "active",
        "classification": "public",
        "version": risk.version,
    }
    assert coordinator.post(reverse("risks:edit", args=[risk.pk]), form).status_code == 302
    response = coordinator.post(reverse("risks:edit", args=[risk.pk]), {**form, "title": "Skogsbrand (gammal)"})
    assert "Someone else saved this record" in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Skogsbrand"


def test_a_back_dated_assessment_joins_the_history_without_replacing_the_newer(group):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    old = services.assess(
        risk, likelihood=1, consequences={"property": 1}, on=timezone.localdate() - datetime.timedelta(days=400)
    )
    risk.refresh_from_db()
    assert risk.likelihood == 3 and old in risk.assessments.all()


def test_an_assessment_is_never_changed(group):
    assessment = Assessment.objects.filter(risk__group=group).first()
    assessment.likelihood = 1
    with pytest.raises(ValueError):
        assessment.save()


def test_the_matrix_counts_what_the_list_shows(group, client_for):
    client = client_for("samordnare")
    risks = Risk.objects.filter(group=group).active()
    counts = matrix_counts(risks)
    assert sum(counts.values()) == risks.filter(likelihood__isnull=False).count() == 12
    response = client.get(reverse("risks:matrix"))
    cells = {(c["likelihood"], c["consequence"]): c["count"] for row in response.context["rows"] for c in row["cells"]}
    assert {k: v for k, v in cells.items() if v} == counts
    # A cell links to the list of its risks.
    listed = client.get(reverse("risks:list") + "?sannolikhet=3&konsekvens=5")
    titles = {r.title for r in listed.context["page"]}
    assert titles == {"Långvarigt elavbrott i hela kommunen", "Brand i särskilt boende nattetid"}
    residual = client.get(reverse("risks:matrix") + "?visa=rest")
    assert residual.context["total"] == 1


def test_a_closed_risk_leaves_the_matrix(group):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    before = sum(matrix_counts(Risk.objects.filter(group=group).active()).values())
    Risk.objects.filter(pk=risk.pk).update(status=Risk.State.CLOSED)
    assert sum(matrix_counts(Risk.objects.filter(group=group).active()).values()) == before - 1


@pytest.mark.parametrize(
    "query",
    [
        "?zon=purple",
        "?enhet=abc",
        "?analys=99999999999999999999999",
        "?sannolikhet=%C2%B2&konsekvens=1",
        "?sida=-1",
        "?liv=yes&granskning=nonsense&status=x",
        "?q=%00",
    ],
)
def test_odd_list_parameters_never_fail(client_for, group, query):
    client = client_for("samordnare")
    for name in ("risks:list", "risks:matrix", "risks:measures"):
        assert client.get(reverse(name) + query).status_code == 200


def test_filters_narrow_the_list(client_for, group):
    client = client_for("samordnare")

    def titles(query):
        return {r.title for r in client.get(reverse("risks:list") + query).context["page"]}

    assert titles("?liv=1") == {
        "Långvarigt elavbrott i hela kommunen",
        "Skogsbrand nära tätort",
        "Förorenat dricksvatten i Svegs vattenverk",
        "Brand i särskilt boende nattetid",
        "Stort personalbortfall i omsorgen vid pandemi",
    }
    assert titles("?q=klotter") == {"Skadegörelse och klotter på skolor"}
    assert titles("?granskning=forsenad") == {"Förlorad huvudnyckel till kommunens fastigheter"}
    assert titles("?granskning=ej-bedomd") == {"Störning i drivmedelsförsörjningen"}
    sof = OrgUnit.objects.get(group=group, code="SOF")
    assert all(r.unit.path.startswith(sof.path) for r in client.get(f"/risker/?enhet={sof.pk}").context["page"])


def test_measure_filters(client_for, group):
    client = client_for("samordnare")

    def titles(query):
        return {m.title for m in client.get(reverse("risks:measures") + query).context["page"]}

    assert titles("?forfallen=1") == {
        "Larmknappar och rutin för hembesök i par",
        "Byte till elektroniskt passersystem i Svegs fastigheter",
    }
    assert titles("?status=done") == {"Utbildning i utrymning för nattpersonal"}
    assert "Plan för nödvatten med tankar och tappställen" in titles("?oppenhet=ej-bedomd")
    assert titles("?oppenhet=restricts") == {
        "Larmknappar och rutin för hembesök i par",
        "Kamerabevakning och belysning vid Sveg skola",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost_estimate", "-5", "A cost cannot be negative"),
        ("cost_estimate", "tio tusen", "Enter a number"),
        ("due_date", "2026-13-01", "Enter a valid date"),
        ("title", "", "This field is required"),
    ],
)
def test_bad_measures_are_refused(coordinator, unit, field, value, message):
    data = {
        "title": "Ny åtgärd",
        "unit": unit("TF").pk,
        "status": "planned",
        "source": "risk",
        "classification": "internal",
    }
    data[field] = value
    response = coordinator.post(reverse("risks:measure-create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Measure.objects.filter(title="Ny åtgärd").exists()


def test_an_rsa_needs_a_mandate_period(client_for, unit):
    response = client_for("samordnare").post(
        reverse("risks:analysis-create"),
        {
            "title": "RSA",
            "kind": "rva",
            "unit": unit("HK").pk,
            "status": "ongoing",
            "started_on": "2026-11-01",
            "classification": "public",
        },
    )
    assert "An RSA is made for a mandate period" in response.content.decode()


def test_classified_risks_are_narrowed_and_their_reads_logged(group, client_for, unit):
    risk = Risk.objects.create(
        group=group,
        unit=unit("TF-FA"),
        title="Sårbarhet i passersystemet",
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    url = risk.get_absolute_url()
    # The head of TF may view and change TF, but has no classified role.
    assert client_for("chef").get(url).status_code == 404
    assert "Sårbarhet i passersystemet" not in client_for("chef").get(reverse("risks:list")).content.decode()
    assert client_for("forvaltningssamordnare").get(url).status_code == 200
    entry = AccessLogEntry.objects.get(object_id=str(risk.pk), content_type__model="risk")
    assert entry.user.username == "forvaltningssamordnare" and entry.path == url


def test_the_risk_page_hides_an_analysis_the_user_may_not_see(group, client_for):
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")  # in the group RSA (HK)
    text = client_for("chef").get(risk.get_absolute_url()).content.decode()
    assert risk.analysis.get_absolute_url() not in text


def test_zone_colours_come_from_the_profile(client_for):
    css = client_for("lasare").get(reverse("risks:zone-styles")).content.decode()
    assert ".zone-red { background: #c62828; color: #ffffff; }" in css
    assert ".zone-yellow { background: #f9a825; color: #000000; }" in css


def test_a_risk_is_accepted_only_by_the_role_the_profile_names(group, client_for):
    risk = Risk.objects.get(group=group, title="Inbrott i förråd i Funäsdalen")  # TF-FA-FU, yellow
    url = reverse("risks:accept", args=[risk.pk])
    data = {
        "reason": "Förrådet innehåller inget stöldbegärligt.",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=365)).isoformat(),
        "expected_version": risk.version,
    }
    # The security coordinator of TF does not hold the acceptance role (heads do, in Härjedalen).
    response = client_for("forvaltningssamordnare").post(url, data)
    assert "Only a holder of the role head for Fastighetsdrift Funäsdalen" in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == Risk.State.ACTIVE and not risk.acceptances.exists()
    # The head of TF, above the risk's unit, may.
    response = client_for("chef").post(url, data)
    assert response.status_code == 302
    risk.refresh_from_db()
    acceptance = risk.acceptances.get()
    assert risk.status == Risk.State.ACCEPTED
    assert (acceptance.accepted_by.last_name, acceptance.level, acceptance.zone) == ("Sundin", 8, "yellow")
    # The edit form cannot make a risk accepted or undo it behind the sign-off's back.
    form = client_for("chef").get(reverse("risks:edit", args=[risk.pk])).context["form"]
    assert form.fields["status"].disabled


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"expires_on": "2020-01-01"}, "An acceptance must end after today"),
        ({"reason": ""}, "This field is required"),
        ({"expires_on": "snart"}, "Enter a valid date"),
    ],
)
def test_bad_acceptances_are_refused(group, client_for, values, message):
    risk = Risk.objects.get(group=group, title="Inbrott i förråd i Funäsdalen")
    data = {"reason": "Skäl", "expires_on": "2099-01-01", "expected_version": risk.version, **values}
    response = client_for("chef").post(reverse("risks:accept", args=[risk.pk]), data)
    assert message in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == Risk.State.ACTIVE


def test_an_unassessed_risk_cannot_be_accepted(group, user_for):
    risk = Risk.objects.get(group=group, title="Störning i drivmedelsförsörjningen")
    with pytest.raises(services.RuleError):
        services.accept(
            risk,
            person=Person.objects.get(group=group, last_name="Sundin"),
            reason="x",
            expires_on=timezone.localdate() + datetime.timedelta(days=1),
            user=user_for("chef"),
            expected_version=risk.version,
        )


def test_an_expired_acceptance_makes_the_risk_active_and_asks_for_a_new_assessment(group):
    from varna.risks.jobs import run_daily

    risk = Risk.objects.get(group=group, title="Inbrott i förråd i Funäsdalen")
    today = timezone.localdate()
    services.accept(
        risk,
        person=Person.objects.get(group=group, last_name="Sundin"),
        reason="Lågt värde.",
        expires_on=today + datetime.timedelta(days=10),
        user=None,
        expected_version=risk.version,
    )
    assert run_daily(today)["acceptances_expired"] == 0
    later = today + datetime.timedelta(days=11)
    assert run_daily(later)["acceptances_expired"] == 1
    assert run_daily(later)["acceptances_expired"] == 0  # idempotent
    risk.refresh_from_db()
    assert risk.status == Risk.State.ACTIVE
    task = Task.objects.get(subject_type=ContentType.objects.get_for_model(Risk), subject_id=str(risk.pk))
    assert task.owner.last_name == "Dahl" and "acceptance has expired" in task.title


def test_owners_of_overdue_measures_are_reminded_weekly(group):
    from varna.risks.jobs import run_daily

    today = timezone.localdate()
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    Measure.objects.filter(pk=measure.pk).update(owner=Person.objects.get(group=group, last_name="Sundin"))
    first = run_daily(today)["measures_reminded"]
    assert first == 1  # the other overdue measure's owner has no login
    assert run_daily(today)["measures_reminded"] == 0
    assert run_daily(today + datetime.timedelta(days=3))["measures_reminded"] == 0
    assert run_daily(today + datetime.timedelta(days=7))["measures_reminded"] == first
    assert Notification.objects.filter(subject__startswith="Measure overdue: Byte till elektroniskt").count() == 2


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_the_risk_register_exports_as_the_list_filters_it(client_for, group):
    headers, rows = _sheet(client_for("samordnare").get(reverse("risks:export") + "?liv=1"))
    assert headers[:3] == ("Title", "Kind", "Category")
    assert headers[8] == "Life and health"  # the dimensions follow the likelihood, life and health first
    titles = [r[0] for r in rows]
    assert titles[0] == "Brand i särskilt boende nattetid" and len(titles) == 5
    elavbrott = next(r for r in rows if r[0] == "Långvarigt elavbrott i hela kommunen")
    assert elavbrott[7] == 3 and elavbrott[8] == 4 and "Measures required" in elavbrott


def test_the_export_keeps_to_what_the_reader_may_see(client_for, group):
    _, rows = _sheet(client_for("lasare").get(reverse("risks:export")))
    sof = OrgUnit.objects.get(group=group, code="SOF")
    assert {r[0] for r in rows} == set(
        Risk.objects.filter(unit__path__startswith=sof.path)
        .exclude(classification="classified")
        .values_list("title", flat=True)
    )
    _, measures = _sheet(client_for("lasare").get(reverse("risks:measure-export")))
    assert "Larmknappar och rutin för hembesök i par" in {m[0] for m in measures}
    assert "Säkerhetskopior utan nätverksåtkomst och övad återläsning" not in {m[0] for m in measures}


def test_the_measures_export_names_their_risks(client_for, group):
    headers, rows = _sheet(client_for("samordnare").get(reverse("risks:measure-export") + "?forfallen=1"))
    by_title = {r[0]: dict(zip(headers, r, strict=True)) for r in rows}
    assert set(by_title) == {
        "Larmknappar och rutin för hembesök i par",
        "Byte till elektroniskt passersystem i Svegs fastigheter",
    }
    row = by_title["Larmknappar och rutin för hembesök i par"]
    assert row["Risks treated"] == "Hot och våld mot personal inom individ- och familjeomsorgen"
    assert row["Effect on openness"] == "Restricts access or openness" and row["Cost estimate (SEK)"] == 60000


def test_two_assessments_from_the_same_page_do_not_overwrite_each_other(group):
    from varna.core.models import StaleEditError

    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")
    first, second = Risk.objects.get(pk=risk.pk), Risk.objects.get(pk=risk.pk)  # both read version n
    services.assess(first, likelihood=5, consequences={"life_health": 5})
    with pytest.raises(StaleEditError):
        services.assess(second, likelihood=1, consequences={"life_health": 1})
    risk.refresh_from_db()
    assert risk.likelihood == 5 and not risk.assessments.filter(likelihood=1).exists()

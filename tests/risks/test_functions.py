"""Vital societal functions: their critical dependencies, capability and the dependency graph."""

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.models import AccessLogEntry
from varna.organisation.profiles import ProfileError, parse_profile
from varna.risks.models import Dependency, Risk, VitalFunction


@pytest.fixture
def water(group):
    return VitalFunction.objects.get(group=group, name="Dricksvattenförsörjning")


def test_the_demo_registers_functions_dependencies_and_capability(client_for, group, water):
    client = client_for("samordnare")
    text = client.get(reverse("risks:functions")).content.decode()
    assert "Dricksvattenförsörjning" in text and "24 hours" in text
    assert "Långvarigt elavbrott: Good with some shortcomings" in text
    detail = client.get(water.get_absolute_url()).content.decode()
    assert "Reservkraftverk vid vattenverket" in detail
    # The care function depends on the water supply: shown on both.
    assert "Vård och omsorg i särskilt boende" in detail  # "Functions that depend on this one"
    assert "Förorenat dricksvatten i Svegs vattenverk" in detail  # a risk that affects it


def test_add_and_remove_dependencies(client_for, group, water):
    client = client_for("samordnare")
    url = reverse("risks:dependency-add", args=[water.pk])
    client.post(url, {"kind": "telecom", "name": "Larmöverföring", "tolerable_outage_hours": "2"})
    dependency = water.dependencies.get(name="Larmöverföring")
    assert dependency.tolerable_outage_hours == 2 and dependency.lacks_reserve
    # Another function is chosen from the register; a name is needed for everything else.
    response = client.post(url, {"kind": "function"}, follow=True)
    assert "Choose the vital function it depends on." in response.content.decode()
    response = client.post(url, {"kind": "power", "name": ""}, follow=True)
    assert "Name what the function depends on" in response.content.decode()
    response = client.post(url, {"kind": "power", "name": "Nät", "tolerable_outage_hours": "-1"}, follow=True)
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert water.dependencies.filter(name="Nät").count() == 0
    client.post(reverse("risks:dependency-remove", args=[dependency.pk]))
    assert not Dependency.objects.filter(pk=dependency.pk).exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"level": "9"}, "Select a valid choice"),
        ({"assessed_on": "2999-01-01"}, "An assessment cannot be dated in the future."),
        ({"reasons": ""}, "This field is required."),
    ],
)
def test_bad_capability_assessments_are_refused(client_for, water, values, message):
    data = {"event_type": "IT-angrepp", "level": "2", "reasons": "Skäl", "assessed_on": "2026-01-01", **values}
    before = water.capability_assessments.count()
    response = client_for("samordnare").post(reverse("risks:capability-add", args=[water.pk]), data, follow=True)
    assert message in response.content.decode()
    assert water.capability_assessments.count() == before


def test_the_newest_capability_per_event_type_is_shown(client_for, water):
    client = client_for("samordnare")
    client.post(
        reverse("risks:capability-add", args=[water.pk]),
        {
            "event_type": "Långvarigt elavbrott",
            "level": "1",
            "reasons": "Reservkraft vid alla stationer.",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    functions = client.get(reverse("risks:functions")).context["functions"]
    newest = {a.event_type: a.level for a in next(f for f in functions if f.pk == water.pk).capabilities}
    assert newest == {"Långvarigt elavbrott": 1, "Förorening av vattentäkt": 3}
    # An older assessment joins the history without replacing the newer one.
    client.post(
        reverse("risks:capability-add", args=[water.pk]),
        {
            "event_type": "Långvarigt elavbrott",
            "level": "4",
            "reasons": "Gammal bedömning.",
            "assessed_on": "2020-01-01",
        },
    )
    functions = client.get(reverse("risks:functions")).context["functions"]
    newest = {a.event_type: a.level for a in next(f for f in functions if f.pk == water.pk).capabilities}
    assert newest["Långvarigt elavbrott"] == 1


def test_the_dependency_graph_shows_only_what_the_reader_may_see(client_for, group):
    text = client_for("lasare").get(reverse("risks:dependency-graph")).content.decode()  # reader of SOF
    assert "Vård och omsorg i särskilt boende" in text
    assert "Dricksvattenförsörjning</a>" not in text  # the water company's function is not theirs to see
    assert "Krisledning och kriskommunikation" not in text
    full = client_for("samordnare").get(reverse("risks:dependency-graph"))
    assert full.status_code == 200 and len(full.context["functions"]) == 4
    assert '<svg class="dependency-graph"' in full.content.decode()


def test_a_classified_function_is_hidden_and_its_reads_logged(client_for, group, unit):
    secret = VitalFunction.objects.create(
        group=group,
        unit=unit("TF"),
        name="Ledningsplats",
        classification="classified",
        classification_ground="OSL 18 kap. 13 §",
    )
    assert client_for("chef").get(secret.get_absolute_url()).status_code == 404
    assert "Ledningsplats" not in client_for("chef").get(reverse("risks:functions")).content.decode()
    assert client_for("forvaltningssamordnare").get(secret.get_absolute_url()).status_code == 200
    assert AccessLogEntry.objects.filter(object_id=str(secret.pk), content_type__model="vitalfunction").exists()


def test_a_risk_names_the_functions_it_affects(client_for, group):
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")
    text = client_for("samordnare").get(risk.get_absolute_url()).content.decode()
    for name in ("Dricksvattenförsörjning", "Vård och omsorg i särskilt boende"):
        assert name in text


def test_a_profile_naming_an_unknown_function_fails_with_file_line_and_field():
    from varna.organisation.profiles import profile_dirs

    text = (profile_dirs()[-1] / "harjedalen.yaml").read_text(encoding="utf-8")
    broken = text.replace("function: Dricksvattenförsörjning", "function: Dricksvatten", 1)
    with pytest.raises(ProfileError) as error:
        parse_profile(broken, "harjedalen.yaml")
    message = str(error.value)
    assert "harjedalen.yaml, line" in message and "dependencies[1].function" in message
    assert "'Dricksvatten' is not declared" in message

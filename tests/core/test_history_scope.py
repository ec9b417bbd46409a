"""The change history shows its reader only what they may read (issue 10, finding 3): records
named in a change are masked as everywhere else when the reader may not read them, and links
added or removed are worded, not printed as rows of ids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from varna.core.history import history_entries
from varna.core.links import HIDDEN_RECORD
from varna.documents.models import Document
from varna.risks.models import Analysis, Measure, Risk


@pytest.fixture
def measure(group):
    """A measure of TF's (chef may read it) whose document was changed to a classified one."""
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    measure.document = Document.objects.get(group=group, title="Standard för larm och passersystem")  # classified
    measure.save()
    return measure


def test_chef_does_not_see_a_classified_documents_title_in_a_measures_history(client_for, measure):
    page = client_for("chef").get(reverse("risks:measure", args=[measure.pk])).content.decode()
    assert "Standard för larm och passersystem" not in page
    assert "Instruktion för nyckelhantering" in page  # the document before, which chef may read
    assert str(HIDDEN_RECORD) in page


def test_a_cleared_reader_sees_the_classified_title_in_the_history(client_for, measure):
    page = client_for("forvaltningssamordnare").get(reverse("risks:measure", args=[measure.pk])).content.decode()
    assert "Standard för larm och passersystem" in page


def test_chef_does_not_see_another_administrations_analysis_in_a_risks_history(client_for, group):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")  # TF; its analysis is the group's RSA
    rsa = risk.analysis
    night_patrol = Analysis.objects.get(group=group, title="Riskanalys hemtjänstens nattpatrull")  # SOF-AO, internal
    risk.analysis = night_patrol
    risk.save()

    page = client_for("chef").get(reverse("risks:risk", args=[risk.pk])).content.decode()
    assert night_patrol.title not in page
    assert rsa.title not in page
    page = client_for("samordnare").get(reverse("risks:risk", args=[risk.pk])).content.decode()
    assert night_patrol.title in page and rsa.title in page


def test_links_added_and_removed_are_worded_and_masked(client_for, group):
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    own = Risk.objects.get(group=group, title="Förlorad huvudnyckel till kommunens fastigheter")  # TF-FA
    power = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")  # TF
    fire = Risk.objects.get(group=group, title="Brand i särskilt boende nattetid")  # SOF-AO
    measure.risks.add(power, fire)
    measure.risks.remove(own)

    page = client_for("chef").get(reverse("risks:measure", args=[measure.pk])).content.decode()
    assert "{&#x27;measure&#x27;" not in page and "{'measure'" not in page
    assert f"Risk added: {power.title}" in page
    assert f"Risk added: {HIDDEN_RECORD}" in page
    assert f"Risk removed: {own.title}" in page
    assert fire.title not in page


def test_a_deleted_record_is_said_to_be_deleted(group, user_for):
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    risk = Risk.objects.create(group=group, unit=measure.unit, title="Tillfällig risk")
    measure.risks.add(risk)
    risk.delete()
    (change,) = history_entries(measure, user_for("samordnare"))[0].changes
    assert change.new == "Risk added: A deleted record"


def test_the_history_cannot_be_read_without_a_reader(group):
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    with pytest.raises(TypeError):
        history_entries(measure)


def test_the_history_costs_the_same_queries_however_long_it_is(group, user_for):
    measure = Measure.objects.get(group=group, title="Byte till elektroniskt passersystem i Svegs fastigheter")
    reader = user_for("chef")
    risks = list(Risk.objects.filter(group=group)[:6])
    documents = list(Document.objects.filter(group=group)[:3])

    def changes(n):
        for i in range(n):
            measure.risks.add(risks[i % len(risks)])
            measure.document = documents[i % len(documents)]
            measure.save()
            measure.risks.remove(risks[i % len(risks)])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            entries = history_entries(measure, reader)
        return len(ctx.captured_queries), entries

    changes(2)
    count()  # the reader's access is read once per user
    small, _ = count()
    changes(12)
    large, entries = count()
    assert large == small
    assert any(c.field == "risks treated" for e in entries for c in e.changes)

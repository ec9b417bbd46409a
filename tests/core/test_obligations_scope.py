"""The obligations are checked for the whole group but shown through the reader's scope (issue
10, finding 6): evidence names and links only records the reader may open and counts the rest;
summaries count and never name a record; the start page reads the stored answers the same way."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.jobs import record_group_statuses
from varna.core.models import ObligationStatus
from varna.core.obligations import Evidence, Result, evaluate, visible_evidence
from varna.core.permissions import get_access
from varna.core.views import latest_statuses
from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.risks.models import Analysis, Measure, Risk

MARK = "QZ9"


@pytest.fixture
def sof_records(group, unit):
    """Another administration's internal records (SOF: chef of TF may not read them), each in a
    state the checks point to."""
    sof = unit("SOF-AO")
    measure = Measure.objects.create(group=group, title=f"Intern åtgärd {MARK}", unit=sof)  # no document (HJ-5)
    risk = Risk.objects.create(group=group, title=f"Intern risk {MARK}", unit=sof)  # not assessed (HJ-1)
    return risk, measure


def test_the_page_names_only_what_the_reader_may_open(client_for, sof_records):
    risk, measure = sof_records
    page = client_for("chef").get(reverse("obligations")).content.decode()
    assert MARK not in page
    assert measure.get_absolute_url() not in page and risk.get_absolute_url() not in page
    assert "more record outside what you may see" in page or "more records outside what you may see" in page
    assert "The checks count the records of the whole group" in page
    # Who may read them sees them named and linked.
    page = client_for("samordnare").get(reverse("obligations")).content.decode()
    assert measure.title in page and measure.get_absolute_url() in page
    assert risk.title in page and risk.get_absolute_url() in page


def test_a_classified_record_is_linked_only_for_a_cleared_reader(client_for, group, unit):
    measure = Measure.objects.create(
        group=group,
        title=f"Hemlig åtgärd {MARK}",
        unit=unit("TF-FA"),
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    page = client_for("chef").get(reverse("obligations")).content.decode()
    assert measure.get_absolute_url() not in page and MARK not in page
    page = client_for("forvaltningssamordnare").get(reverse("obligations")).content.decode()
    # Linked, but named by its kind: the page is no logged read.
    assert measure.get_absolute_url() in page and MARK not in page


def test_the_stored_answers_keep_what_decides_who_sees_the_evidence(group, user_for, sof_records):
    _risk, measure = sof_records
    record_group_statuses(group)
    stored = ObligationStatus.objects.filter(group=group, obligation_id="HJ-5").latest("checked_at")
    evidence = [e for r in stored.results for e in r["evidence"]]
    mine = next(e for e in evidence if e["url"] == measure.get_absolute_url())
    assert mine["records"] == [[measure.unit.path, False]]

    def hj5(login):
        rows = latest_statuses(group, get_access(user_for(login)))
        return next(r for r in rows if r["obligation"]["id"] == "HJ-5")["results"]

    (chef,) = hj5("chef")
    assert measure.get_absolute_url() not in [e.url for e in chef.evidence] and chef.hidden >= 1
    (coordinator,) = hj5("samordnare")
    assert measure.get_absolute_url() in [e.url for e in coordinator.evidence]


def test_evidence_that_does_not_say_whose_it_is_is_shown_to_nobody(user_for):
    """A check that forgets to scope its evidence, or an answer stored before evidence was
    scoped, shows no name: only the count."""
    result = Result.from_json({"status": "partly", "summary": "1 of 2.", "evidence": [{"label": "X", "url": "/x/"}]})
    shown = visible_evidence(result, get_access(user_for("samordnare")))
    assert shown.evidence == [] and shown.hidden == 1
    assert not Evidence("Y", "/y/").visible_to(get_access(user_for("samordnare")))
    assert Evidence("A body", "/b/", records=[]).visible_to(get_access(user_for("lasare")))


def test_no_summary_names_a_record(group, unit):
    """Every check of the profile, with records of every kind in states they point to: the
    summaries (shown on the start page to every role) count, and never name a record."""
    when = timezone.now() - datetime.timedelta(days=60)
    sof = unit("SOF-AO")
    analysis = Analysis.objects.create(group=group, title=f"Analys {MARK}", unit=sof)
    risk = Risk.objects.create(
        group=group, title=f"Risk {MARK}", unit=sof, analysis=analysis, likelihood=5, consequence=5, flagged=True
    )
    risk.zone = "red"
    risk.next_review = timezone.localdate() - datetime.timedelta(days=5)
    risk.save()
    Measure.objects.create(
        group=group, title=f"Åtgärd {MARK}", unit=sof, due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    Document.objects.create(
        group=group,
        kind="instruction",
        title=f"Dokument {MARK}",
        unit=sof,
        status="in_force",
        next_review=timezone.localdate() - datetime.timedelta(days=1),
    )
    Incident.objects.create(
        group=group, unit=sof, category="vandalism", occurred_at=when, reported_at=when, place=f"Plats {MARK}"
    )
    profile = group.profile
    summaries = []
    for obligation in profile.obligations:
        _status, results = evaluate(obligation, group, profile, {})
        summaries += [r.summary for r in results]
    assert summaries and not [s for s in summaries if MARK in s]

"""A unit's page is its dashboard (issue 11): each area's panel for the unit and everything
under it, within what the reader may see, and the obligations whose evidence points there."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from varna.core.jobs import record_group_statuses
from varna.incidents.models import Incident
from varna.risks import services
from varna.risks.models import Measure, Risk

CLASSIFIED = {"classification": "classified", "classification_ground": "OSL 18 kap. 8 §"}


def _panel(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_panels_count_the_unit_and_everything_under_it(unit, client_for):
    tf, gata = unit("TF"), unit("TF-GP")
    before = _text(
        _panel(client_for("chef").get(reverse("organisation:unit", args=[tf.pk])).content.decode(), "panel-risks")
    )
    risk = Risk.objects.create(group=tf.group, unit=gata, title="Ras vid gångtunneln")
    services.assess(risk, likelihood=5, consequences={"life_health": 5})
    Measure.objects.create(
        group=tf.group, unit=gata, title="Stängsel", due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    Incident.objects.create(group=tf.group, unit=gata, category="theft", occurred_at=timezone.now(), description="x")

    page = client_for("chef").get(reverse("organisation:unit", args=[tf.pk])).content.decode()
    risks = _text(_panel(page, "panel-risks"))
    assert risks != before
    n_before = int(re.search(r"Measures required (\d+) risk", before).group(1))
    assert f"Measures required {n_before + 1} risk" in risks
    assert re.search(r"\d+ overdue", risks)
    assert f"?enhet={tf.pk}&amp;zon=red" in page  # each count leads to the list it counts
    incidents = _text(_panel(page, "panel-incidents"))
    assert re.search(r"\d+ incidents?", incidents) and "Damage cost" in incidents


def test_the_panels_count_only_what_the_reader_may_see(unit, client_for):
    tf = unit("TF")
    url = reverse("organisation:unit", args=[tf.pk])

    def red_risks(login):
        panel = _text(_panel(client_for(login).get(url).content.decode(), "panel-risks"))
        return int(re.search(r"Measures required (\d+) risk", panel).group(1))

    chef, cleared = red_risks("chef"), red_risks("forvaltningssamordnare")
    risk = Risk.objects.create(group=tf.group, unit=tf, title="Sabotage mot vattenverket", **CLASSIFIED)
    services.assess(risk, likelihood=5, consequences={"life_health": 5})
    assert red_risks("chef") == chef  # not cleared: the classified risk is not counted
    assert red_risks("forvaltningssamordnare") == cleared + 1
    assert "Sabotage" not in client_for("forvaltningssamordnare").get(url).content.decode()  # counted, not named


def test_the_obligations_with_gaps_are_those_pointing_here(group, unit, client_for):
    record_group_statuses(group)
    tf_page = client_for("samordnare").get(reverse("organisation:unit", args=[unit("TF").pk])).content.decode()
    gaps = _panel(tf_page, "panel-gaps")
    for title in re.findall(r'<a href="/risker/atgarder/\d+/">([^<]+)</a>', gaps):
        measure = Measure.objects.get(group=group, title=title)
        assert measure.unit.path.startswith(unit("TF").path)
    assert "HJ-" in gaps  # the demo's overdue measure in TF
    sof_page = client_for("samordnare").get(reverse("organisation:unit", args=[unit("SOF").pk])).content.decode()
    sof_gaps = _panel(sof_page, "panel-gaps")
    for title in re.findall(r'<a href="/risker/atgarder/\d+/">([^<]+)</a>', gaps):
        assert title not in sof_gaps  # another branch's page does not list TF's gaps

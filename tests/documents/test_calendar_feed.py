"""The personal iCalendar feed of review due dates."""

import re

import icalendar
import pytest
from django.urls import reverse

from varna.core.models import CalendarFeedToken
from varna.documents.models import Document


def _make_address(client) -> str:
    response = client.post(reverse("documents:feed-settings"), {"action": "create"})
    assert response.status_code == 200
    match = re.search(r'value="(http[^"]+\.ics)"', response.content.decode())
    assert match, "the new address is shown once"
    return match.group(1).replace("http://testserver", "")


def _events(client, path) -> dict[str, icalendar.Event]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def coordinator(client_for):
    return client_for("forvaltningssamordnare")  # security coordinator of the technical administration (TF)


def test_the_feed_lists_the_due_reviews_the_user_may_see(coordinator, client, user_for):
    path = _make_address(coordinator)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeedToken.objects.get(user=user_for("forvaltningssamordnare"))
    assert stored.token_hash != token and token not in stored.token_hash  # only the hash is kept

    events = _events(client, path)  # no login: the token is the credential
    supplement = Document.objects.get(title__startswith="Kompletterande riktlinje för fastighetssäkerhet")
    event = events[f"Review: {supplement.title}"]
    assert event.decoded("DTSTART") == supplement.next_review
    assert supplement.get_absolute_url() in str(event["URL"])
    keys = Document.objects.get(title="Instruktion för nyckelhantering")
    assert events[f"Review: {keys.title}"].decoded("DTSTART") == keys.next_review

    # Another unit's documents are absent, and a draft has no review date.
    text = " ".join(events)
    assert "hot och våld" not in text and "Säkerhetspolicy" not in text
    assert "kameraövervakning" not in text
    # The classified standard is there, without its title or record number.
    standard = Document.objects.get(title="Standard för larm och passersystem")
    assert standard.title not in client.get(path).content.decode()
    assert events["Review: Classified document"].decoded("DTSTART") == standard.next_review
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_wrong_token_gets_404(coordinator, client):
    path = _make_address(coordinator)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("documents:feed", args=[wrong])).status_code == 404
    for bad in ("x", "..%2F..%2Fetc", "%C3%A4" * 43, token + "x", token + ".ics"):
        assert client.get(f"/styrdokument/kalender/{bad}.ics").status_code == 404
    assert client.post(path).status_code == 405


def test_a_new_address_revokes_the_old_and_the_feed_can_be_stopped(coordinator, client, user_for):
    old = _make_address(coordinator)
    new = _make_address(coordinator)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert CalendarFeedToken.objects.filter(user=user_for("forvaltningssamordnare")).count() == 1
    page = coordinator.get(reverse("documents:feed-settings")).content.decode()
    assert ".ics" not in page  # the address is never shown again
    response = coordinator.post(reverse("documents:feed-settings"), {"action": "revoke"})
    assert response.status_code == 302
    assert client.get(new).status_code == 404
    assert not CalendarFeedToken.objects.exists()


def test_a_deactivated_user_s_feed_stops(coordinator, client, user_for):
    path = _make_address(coordinator)
    user = user_for("forvaltningssamordnare")
    user.is_active = False
    user.save()
    assert client.get(path).status_code == 404


def test_the_page_needs_a_login_and_the_calendar_links_to_it(client, coordinator):
    assert client.get(reverse("documents:feed-settings")).status_code == 302
    assert reverse("documents:feed-settings") in coordinator.get(reverse("documents:calendar")).content.decode()

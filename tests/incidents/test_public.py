"""The public form for residents: no login, the profile's categories only, rate-limited without
storing the address, robots turned away, the report routed to the receiving unit."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from varna.core.models import Notification
from varna.incidents import jobs, public
from varna.incidents.models import Incident, Photo, PublicReportQuota

from .conftest import jpeg_with_gps

URL = reverse("incidents:public-report")


def _data(**values):
    return {"category": "graffiti", "place": "Busskuren vid torget", "description": "Nytt klotter på glaset.", **values}


def test_a_resident_reports_graffiti_without_logging_in(client, group, user_for):
    page = client.get(URL)
    assert page.status_code == 200
    assert [c for c, _ in page.context["form"].fields["category"].choices] == ["graffiti", "vandalism"]
    photo = SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(URL, {**_data(contact="070-123 45 67"), "photos": [photo]})
    assert response.status_code == 200 and "Thank you for your report" in response.content.decode()
    incident = Incident.objects.get(place="Busskuren vid torget")
    assert incident.source == Incident.Source.PUBLIC and incident.unit.code == "TF-FA"
    assert incident.reported_by is None and incident.reporter_contact == "070-123 45 67"
    assert Photo.objects.filter(incident=incident).count() == 1
    # The receiving unit's coordinator (the technical administration's, inherited) is told.
    assert Notification.objects.filter(recipient=user_for("forvaltningssamordnare"), url=incident.get_absolute_url())
    # Nothing of the address is stored: only a keyed hash with the day.
    quota = PublicReportQuota.objects.get()
    assert "127.0.0.1" not in quota.key and quota.count == 1


def test_only_the_profiles_categories_and_good_input(client, group):
    response = client.post(URL, _data(category="threat_violence", place="", description=""))
    body = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in body and "This field is required" in body
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(4)]
    response = client.post(URL, {**_data(), "photos": photos})
    assert "At most 3 photos" in response.content.decode()
    assert not Incident.objects.filter(place="Busskuren vid torget").exists()


def test_a_robot_filling_the_hidden_field_stores_nothing(client, group):
    response = client.post(URL, _data(website="http://spam.example"))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Incident.objects.filter(place="Busskuren vid torget").exists()


def test_the_rate_limit_per_address_and_day(client, group, monkeypatch):
    monkeypatch.setattr(public, "PER_ADDRESS_AND_DAY", 2)
    for _ in range(2):
        assert client.post(URL, _data()).status_code == 200
    response = client.post(URL, _data())
    assert response.status_code == 429 and "Too many reports" in response.content.decode()
    assert Incident.objects.filter(place="Busskuren vid torget").count() == 2
    other = client.post(URL, _data(), REMOTE_ADDR="10.0.0.9")  # another address may still report
    assert other.status_code == 200
    monkeypatch.setattr(public, "PER_GROUP_AND_DAY", 3)
    assert client.post(URL, _data(), REMOTE_ADDR="10.0.0.10").status_code == 429  # the day's cap for the municipality


def test_counters_of_earlier_days_are_deleted(group):
    import datetime

    PublicReportQuota.objects.create(key="g1:x", day=datetime.date(2020, 1, 1), count=3)
    jobs.run_daily()
    assert not PublicReportQuota.objects.filter(day=datetime.date(2020, 1, 1)).exists()


def test_no_public_form_where_the_profile_has_none(client, db):
    from varna.organisation.demo import load_demo
    from varna.organisation.profiles import load_profile

    load_demo(load_profile("karlskrona"))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"kommun": "x"}).status_code == 404

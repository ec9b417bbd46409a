"""Thinning of personal data (gallring): per category after the profile's months, logged, the
history purged, the statistics kept."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from varna.core.dates import add_months
from varna.incidents import jobs, retention, services
from varna.incidents.models import CostItem, Incident, InvolvedPerson, Photo, ThinningLog
from varna.incidents.photos import clean_photo

from .conftest import jpeg_with_gps


def _old(group, unit, months_ago, category="threat_violence", status=Incident.State.CLOSED):
    when = timezone.make_aware(
        datetime.datetime.combine(add_months(timezone.localdate(), -months_ago), datetime.time(12))
    )
    incident = Incident.objects.create(
        group=group,
        unit=unit,
        category=category,
        occurred_at=when,
        status=status,
        description="Anna Andersson hotades av en man i receptionen.",
        immediate_actions="Polis tillkallades.",
        investigation="Mannen är känd sedan tidigare.",
        latitude="62.00000",
        longitude="14.00000",
        police_report_number="5000-K1-20",
    )
    InvolvedPerson.objects.create(incident=incident, role="victim", name="Anna Andersson")
    CostItem.objects.create(incident=incident, kind="repair", final=2000)
    services.update_costs(incident)
    services.add_photos(incident, [clean_photo(SimpleUploadedFile("a.jpg", jpeg_with_gps()))], None)
    incident.description = "Ändrad text med namn."
    incident.save()  # a second history record holding the text
    return incident


def test_personal_data_is_thinned_after_the_profiles_months_and_logged(
    group, unit, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    tf = unit("TF")
    Incident.objects.filter(group=group).delete()
    # Härjedalen keeps threats and violence 60 months, everything else 36.
    due_threat = _old(group, tf, 61)
    kept_threat = _old(group, tf, 50)
    due_theft = _old(group, tf, 40, category="theft")
    still_open = _old(group, tf, 70, status=Incident.State.INVESTIGATING)
    photo_file = Photo.objects.get(incident=due_threat).file
    assert photo_file.storage.exists(photo_file.name)

    with django_capture_on_commit_callbacks(execute=True):  # the files are deleted once committed
        assert jobs.run_daily() == 2
    for incident in (due_threat, due_theft):
        incident.refresh_from_db()
        assert incident.thinned_on == timezone.localdate()
        assert (incident.description, incident.immediate_actions, incident.investigation) == ("", "", "")
        assert incident.latitude is None and incident.reporter is None
        assert not incident.persons.exists() and not incident.photos.exists()
        assert not Incident.history.filter(id=incident.pk).exists()  # the old texts are gone from history too
        assert not InvolvedPerson.history.filter(incident_id=incident.pk).exists()
        # What the statistics need stays.
        assert incident.cost == 2000 and incident.category and incident.police_report_number == "5000-K1-20"
    assert not photo_file.storage.exists(photo_file.name)
    for incident in (kept_threat, still_open):
        incident.refresh_from_db()
        assert incident.thinned_on is None and incident.persons.count() == 1
    logs = {log.category: log for log in ThinningLog.objects.filter(group=group)}
    assert set(logs) == {"threat_violence", "theft"}
    assert (logs["threat_violence"].incidents, logs["threat_violence"].persons, logs["threat_violence"].photos) == (
        1,
        1,
        1,
    )
    assert logs["theft"].decision.startswith("Dokumenthanteringsplan")
    # Idempotent: nothing more to do the same day.
    assert jobs.run_daily() == 0
    assert ThinningLog.objects.filter(group=group).count() == 2


def test_a_profile_without_rules_thins_nothing(group, unit):
    group.profile.data.setdefault("incidents", {})
    rules = group.profile.data["incidents"].get("personal_data_months")
    group.profile.data["incidents"]["personal_data_months"] = {}
    try:
        incident = _old(group, unit("TF"), 200)
        assert retention.thin_group(group) == []
        incident.refresh_from_db()
        assert incident.thinned_on is None
    finally:
        group.profile.data["incidents"]["personal_data_months"] = rules


def test_a_thinned_incident_says_so(client_for, group, unit):
    incident = _old(group, unit("TF"), 61)
    retention.thin_group(group)
    page = client_for("samordnare").get(incident.get_absolute_url()).content.decode()
    assert "personal data of this incident was thinned" in page and "Anna Andersson" not in page

"""Import of alarm events from an alarm receiving centre's log (issue 13, third part): a dry run
first, everything or nothing, alarms matched by identifier within the user's scope, and the same
log imported twice adds nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from varna.facilities.models import Alarm, AlarmEvent

URL = reverse("facilities:alarm-import")
HEADER = "Larmnummer;Tidpunkt;Händelsetyp;Orsak"


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def _upload(client, data: bytes, name: str = "larmlogg.csv"):
    return client.post(URL, {"action": "preview", "file": SimpleUploadedFile(name, data)})


def _errors(response) -> dict[int, list[str]]:
    return {row.number: [e.message for e in row.errors] for row in response.context["plan"].refused}


@pytest.mark.policy("AL-5")
def test_events_are_imported_after_a_dry_run_and_not_twice(client_for, group):
    client = client_for("chef")
    alarm = Alarm.objects.get(identifier="NL-10231")
    before = alarm.events.count()
    data = _csv(
        "NL-10231;2026-03-05 14:30;Falsklarm;Städpersonal",
        "nl-10231;2026-03-06 02:10;Skarpt larm;Krossad ruta",
        "NL-10232;05.03.2026 08.15;Tekniskt fel;",
    )
    response = _upload(client, data)
    assert response.status_code == 200
    assert response.context["counts"] == {"added": 3, "unchanged": 0, "refused": 0}
    assert alarm.events.count() == before  # a dry run writes nothing
    response = client.post(URL, {"action": "apply", "token": response.context["token"]}, follow=True)
    assert "3 alarm events added" in response.content.decode()
    assert alarm.events.count() == before + 2
    event = alarm.events.get(cause="Krossad ruta")
    assert event.kind == "real" and timezone.localtime(event.occurred_at).hour == 2
    assert event.history.first().history_change_reason == "Imported from file larmlogg.csv"

    response = _upload(client, data)
    assert response.context["counts"] == {"added": 0, "unchanged": 3, "refused": 0}


def test_one_refused_row_and_nothing_is_written(client_for, group):
    client = client_for("chef")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = _csv(
        "NL-10231;2026-03-05 14:30;Falsklarm;",
        "GL-OF-1;2026-03-05 14:30;Falsklarm;",  # SOF's alarm: not chef's to change
        "KH-TL-1;2026-03-05 14:30;Falsklarm;",  # classified: chef is not cleared
        "NOPE-1;2026-03-05 14:30;Falsklarm;",
        "NL-10231;igår;Falsklarm;",
        f"NL-10231;{future} 10:00;Falsklarm;",
        "NL-10231;2026-03-07 10:00;Jordbävning;",
        "NL-10231;2026-03-05 14:30;Falsklarm;",  # the same event twice
        ";2026-03-05 14:30;;",
    )
    response = _upload(client, data)
    errors = _errors(response)
    hidden = "No alarm you may change has the identifier %s."
    assert errors[3] == [hidden % "GL-OF-1"]
    assert errors[4] == [hidden % "KH-TL-1"]  # refused alike: nothing told of the classified one
    assert errors[5] == [hidden % "NOPE-1"]
    assert "is not a time" in errors[6][0]
    assert errors[7] == ["An alarm event cannot lie in the future."]
    assert "Unknown kind" in errors[8][0]
    assert errors[9] == ["The same event is also on row 2."]
    assert len(errors[10]) == 2
    assert response.context["token"] is None or not response.context["plan"].can_apply
    assert not AlarmEvent.objects.filter(cause="", occurred_at__date=datetime.date(2026, 3, 5)).exists()


def test_a_reader_may_not_import(client_for):
    assert client_for("lasare").get(URL).status_code == 403
    assert client_for("chef").get(URL).status_code == 200
    response = client_for("chef").get(URL, {"mall": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")

"""Django admin holds no classified register, and its edits take part in optimistic locking
(issue 10, findings 11 and 12)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from varna.core.admin import VersionedAdmin
from varna.core.models import AccessLogEntry, ClassifiedModel, VersionedModel
from varna.organisation.forms import PersonForm
from varna.organisation.models import Person


def test_no_classified_model_is_in_the_admin_and_every_versioned_one_bumps_its_version():
    registered = admin.site._registry
    assert not [m for m in registered if issubclass(m, ClassifiedModel)]
    assert not [m for m, a in registered.items() if issubclass(m, VersionedModel) and not isinstance(a, VersionedAdmin)]
    # The registers exist, and are worked in the app only.
    assert apps.get_model("risks", "Risk") not in registered
    assert apps.get_model("incidents", "Incident") not in registered


def test_an_admin_edit_makes_a_form_opened_before_it_stale(group, user_for):
    person = Person.objects.filter(group=group).first()
    opened = PersonForm(instance=person, user=user_for("samordnare"), group=group)
    version_when_opened = opened["version"].value()

    request = RequestFactory().post("/admin/")
    request.user = user_for("admin")
    person.last_name = "Ändrad i admin"
    admin.site._registry[Person].save_model(request, person, None, change=True)
    person.refresh_from_db()
    assert person.version == version_when_opened + 1

    data = {name: opened[name].value() for name in opened.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["last_name"] = "Ändrad i appen"
    stale = PersonForm(data, instance=Person.objects.get(pk=person.pk), user=user_for("samordnare"), group=group)
    assert stale.is_valid(), stale.errors
    assert stale.save_versioned() is None
    person.refresh_from_db()
    assert person.last_name == "Ändrad i admin"


def test_the_access_log_in_the_admin_does_not_name_the_records_read(group, client_for, user_for):
    from django.contrib.contenttypes.models import ContentType

    AccessLogEntry.objects.create(
        user=user_for("samordnare"),
        content_type=ContentType.objects.get_for_model(Person),
        object_id="1",
        object_repr="MRK-ADMIN-LOG hemlig",
        action="view",
    )
    admin_client = client_for("admin")
    page = admin_client.get(reverse("admin:core_accesslogentry_changelist"))
    assert page.status_code == 200 and "MRK-ADMIN-LOG" not in page.content.decode()
    search = admin_client.get(reverse("admin:core_accesslogentry_changelist"), {"q": "MRK-ADMIN-LOG"})
    assert "0 access log" in search.content.decode() or "0 results" in search.content.decode()


@pytest.mark.parametrize("login", ["admin"])
def test_a_technical_administrator_is_not_cleared_for_classified_records(group, client_for, unit, login):
    from varna.risks.models import Risk

    risk = Risk.objects.create(
        group=group,
        unit=unit("TF"),
        title="MRK-ADMIN-RISK",
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    client = client_for(login)
    assert client.get(reverse("risks:risk", args=[risk.pk])).status_code == 404
    assert "MRK-ADMIN-RISK" not in client.get(reverse("risks:list")).content.decode()
    # Records that are not classified: every unit's, as before.
    internal = Risk.objects.create(group=group, unit=unit("SOF"), title="MRK-ADMIN-INTERNAL")
    assert client.get(reverse("risks:risk", args=[internal.pk])).status_code == 200


# The third-party apps' names as the admin showed them before they were named in our catalogue.
THIRD_PARTY_ENGLISH = [
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Otp_Totp",
    "TOTP devices",
    "Tasks Database Backend",
    "Task Results",
]


def _admin_index_names(client) -> list[str]:
    """The app captions and model rows of the admin's index page."""
    import re

    page = client.get(reverse("admin:index")).content.decode()
    cells = re.findall(r"<caption>(.*?)</caption>|<th scope=\"row\"[^>]*>(.*?)</th>", page, re.S)
    return [re.sub(r"<[^>]+>", "", caption or row).strip() for caption, row in cells]


@pytest.mark.no_english
def test_the_admin_names_the_third_party_apps_and_models_in_swedish(demo, user_for):
    """Issue 11: django-axes, django-otp and django-tasks-db showed in English in a Swedish admin."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.force_login(user_for("admin"))
    names = _admin_index_names(client)
    assert "Användare" in names and "Personer" in names  # the index is the Swedish one
    assert not [name for name in THIRD_PARTY_ENGLISH if name in names]
    for english in ("Login throttling", "Two-factor authentication", "Background tasks", "Task results"):
        assert english not in names


def test_the_third_party_names_read_as_before_in_english(client_for):
    names = _admin_index_names(client_for("admin"))
    for name in ("Login throttling", "Access attempts", "Access logs", "Two-factor authentication", "TOTP devices"):
        assert name in names
    assert "Background tasks" in names and "Task results" in names


def test_the_admin_offers_policy_profiles_by_municipality(group, client_for):
    """Issue 11: a group's profile was a file name to type ("harjedalen")."""
    admin_client = client_for("admin")
    form = admin_client.get(reverse("admin:organisation_municipalgroup_change", args=[group.pk])).content.decode()
    assert '<option value="harjedalen" selected>Härjedalens kommun</option>' in form
    assert '<option value="ale">Ale kommun</option>' in form and "Karlskrona kommun" in form
    listing = admin_client.get(reverse("admin:organisation_municipalgroup_changelist")).content.decode()
    assert "Härjedalens kommun" in listing and "harjedalen" not in listing


def test_the_obligations_page_names_the_municipality_not_the_profile_file(demo, client_for):
    page = client_for("samordnare").get(reverse("obligations")).content.decode()
    assert "Policy profile in force: Härjedalens kommun." in page
    assert "harjedalen.yaml" not in page

"""Optimistic locking cannot be skipped (issue 10, finding 11): every edit form of the
application is found from the URL configuration, and for each a POST without its version, with
an empty, zero or non-numeric one, or with a stale one is refused and changes nothing, while the
form as served saves (and a saved edit goes somewhere: finding 8 was a 500 after saving)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape

from varna.core.forms import MISSING_VERSION_MESSAGE, STALE_MESSAGE
from varna.core.views import VersionedUpdateView
from varna.incidents.models import CostItem, Incident


def _edit_views(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _edit_views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, VersionedUpdateView):
                yield f"{namespace}{entry.name}", view_class


EDIT_VIEWS = sorted(_edit_views())


def test_every_edit_view_is_found():
    names = {name for name, _ in EDIT_VIEWS}
    assert {"organisation:role-edit", "risks:measure-edit", "incidents:edit", "documents:edit"} <= names
    assert len(names) >= 12


def _record(model, group):
    if model is CostItem:
        incident = Incident.objects.filter(group=group).order_by("pk").first()
        return CostItem.objects.create(incident=incident, kind="repair", estimated=1000)
    queryset = model.objects.all()
    if hasattr(model, "group"):
        queryset = queryset.filter(group=group)
    if model.__name__ == "Measure":
        queryset = queryset.open()
    return queryset.order_by("pk").first()


def _data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or getattr(field.widget, "input_type", "") == "file":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


@pytest.mark.parametrize(("name", "view_class"), EDIT_VIEWS, ids=[n for n, _ in EDIT_VIEWS])
def test_an_edit_form_requires_its_current_version(client_for, group, name, view_class):
    record = _record(view_class.model, group)
    assert record is not None, f"no {view_class.model.__name__} to edit"
    url = reverse(name, args=[record.pk])
    client = client_for("samordnare")
    page = client.get(url)
    assert page.status_code == 200
    data = _data(page.context["form"])
    assert data.get("version") == str(record.version)

    def unchanged():
        fresh = type(record).objects.get(pk=record.pk)
        return fresh.version == record.version and fresh.updated_at == record.updated_at

    for version in (None, "", "0", "-1", "abc", "99999999999999999999"):
        tampered = {k: v for k, v in data.items() if k != "version"}
        if version is not None:
            tampered["version"] = version
        response = client.post(url, tampered)
        assert response.status_code == 200, (version, response.status_code)
        page = response.content.decode()
        assert escape(str(MISSING_VERSION_MESSAGE)) in page or escape(str(STALE_MESSAGE)) in page, version
        assert unchanged(), f"{name} saved with version {version!r}"

    stale = {**data, "version": str(record.version - 1)} if record.version > 1 else None
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert client.get(saved["Location"]).status_code == 200
    assert type(record).objects.get(pk=record.pk).version == record.version + 1
    # The form as first served is stale now.
    response = client.post(url, stale or data)
    assert response.status_code == 200 and escape(str(STALE_MESSAGE)) in response.content.decode()


def test_actions_without_their_version_change_nothing(client_for, group):
    """The action buttons and forms that carry a version (repeal, the insurance review) are
    refused without it, as the edit forms are."""
    from varna.documents.models import Document
    from varna.insurance.models import InsuranceReview

    client = client_for("samordnare")
    document = Document.objects.filter(group=group, status="in_force").order_by("pk").first()
    for version in (None, "", "0", "x"):
        data = {} if version is None else {"version": version}
        client.post(reverse("documents:repeal", args=[document.pk]), data)
        assert Document.objects.get(pk=document.pk).status == "in_force", version
    review = InsuranceReview.objects.create(group=group, unit=document.unit, year=2001, due_date="2002-03-31")
    page = client.get(reverse("insurance:review", args=[review.pk]))
    data = {k: v for k, v in _data(page.context["form"]).items() if k != "version"}
    data.update(reviewed_on="2026-02-01", conclusion="Behoven är täckta.")
    response = client.post(reverse("insurance:review", args=[review.pk]), data)
    assert response.status_code == 200 and escape(str(MISSING_VERSION_MESSAGE)) in response.content.decode()
    assert InsuranceReview.objects.get(pk=review.pk).status == InsuranceReview.State.OPEN
    response = client.post(reverse("insurance:review", args=[review.pk]), {**data, "version": str(review.version)})
    assert response.status_code == 302

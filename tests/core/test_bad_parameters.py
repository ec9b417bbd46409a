"""Odd query strings give a page, never a server error."""

import pytest
from django.urls import reverse

from varna.documents.models import Document

ODD = ["x", "²", "-1", "99999999999999999999999", "1e3", "%00", "\x00", "a\x00b", "' or 1=1 --"]
PAGES = [
    ("organisation:people", ["enhet", "sida", "q"]),
    ("organisation:parties", ["enhet", "sida", "typ", "q"]),
    ("organisation:unit-create", ["parent"]),
    ("documents:list", ["enhet", "sida", "typ", "status", "granskning", "q"]),
    ("documents:calendar", ["enhet", "dagar"]),
    ("documents:public", ["kommun", "q"]),
    ("risks:list", ["enhet", "sida", "zon", "status", "analys", "sannolikhet", "konsekvens", "q"]),
    ("risks:matrix", ["enhet", "analys", "visa"]),
    ("risks:measures", ["enhet", "sida", "status", "oppenhet", "q"]),
    ("risks:export", ["q", "zon"]),
]


@pytest.mark.parametrize(("name", "params"), PAGES)
@pytest.mark.parametrize("value", ODD)
def test_odd_parameters_never_give_a_server_error(client_for, group, name, params, value):
    client = client_for("samordnare")
    for param in params:
        response = client.get(reverse(name), {param: value})
        assert response.status_code in (200, 404), f"{name}?{param}={value}: {response.status_code}"


@pytest.mark.parametrize("value", ODD)
def test_odd_version_numbers_in_the_comparison(client_for, group, value):
    document = Document.objects.get(title="Riktlinjer för säkerhetsarbetet")
    response = client_for("samordnare").get(
        reverse("documents:compare", args=[document.pk]), {"fran": value, "till": value}
    )
    assert response.status_code == 200

"""Money and counts are written one way: core.formatting, its template filters and the XLSX cells."""

import io
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from varna.core.formatting import amount, count, sek
from varna.core.spreadsheets import write_xlsx

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "swedish", "english"),
    [
        (Decimal("1770000"), f"1{NBSP}770{NBSP}000{NBSP}kr", f"1,770,000{NBSP}SEK"),
        (950000, f"950{NBSP}000{NBSP}kr", f"950,000{NBSP}SEK"),
        (Decimal("999"), f"999{NBSP}kr", f"999{NBSP}SEK"),
        (0, f"0{NBSP}kr", f"0{NBSP}SEK"),
        (Decimal("12345.5"), f"12{NBSP}345,50{NBSP}kr", f"12,345.50{NBSP}SEK"),
        (-5000, f"-5{NBSP}000{NBSP}kr", f"-5,000{NBSP}SEK"),
        (None, "–", "–"),
    ],
)
def test_sek_groups_thousands_and_names_the_currency_in_each_language(value, swedish, english):
    with translation.override("sv"):
        assert sek(value) == swedish
    with translation.override("en"):
        assert sek(value) == english


def test_whole_amounts_have_no_decimals_and_a_mean_is_rounded_half_up_to_whole_kronor():
    with translation.override("sv"):
        assert amount(Decimal("1770000.00")) == f"1{NBSP}770{NBSP}000"
        assert amount(15000.0) == f"15{NBSP}000"
        assert amount(12345.5, 0) == f"12{NBSP}346"
        assert amount(Decimal("0.5"), 0) == "1"
        assert amount(Decimal("1234.567")) == f"1{NBSP}234,57"


def test_count_groups_a_whole_number_like_an_amount():
    with translation.override("sv"):
        assert count(1234567) == f"1{NBSP}234{NBSP}567"
        assert count(12) == "12"
    with translation.override("en"):
        assert count(1234567) == "1,234,567"
        assert count(None) == "–"


def test_values_that_are_not_numbers_are_left_as_they_are():
    for value in ("–", "", "okänd"):
        assert sek(value) == value and amount(value) == value and count(value) == value
    assert amount(True) is True  # a yes/no is not an amount


def test_the_template_filters_write_the_same():
    template = Template(
        "{% load varna %}{{ premium|sek }}|{{ cost|amount }}|{{ missing|amount }}|{{ n|count }}|{{ mean|sek:0 }}"
    )
    context = Context({"premium": Decimal("1770000"), "cost": 950000, "missing": None, "n": 12345, "mean": 1234.5})
    with translation.override("sv"):
        assert template.render(context) == (
            f"1{NBSP}770{NBSP}000{NBSP}kr|950{NBSP}000|–|12{NBSP}345|1{NBSP}235{NBSP}kr"
        )
    with translation.override("en"):
        assert template.render(context) == f"1,770,000{NBSP}SEK|950,000|–|12,345|1,235{NBSP}SEK"


def test_amounts_in_spreadsheets_stay_numbers_shown_grouped():
    from openpyxl import load_workbook

    headers = ["Year", "Incidents", "Cost (SEK)", "Part"]
    data = write_xlsx("Test", headers, [[2026, 1234, Decimal("1770000"), Decimal("0.5")]])
    row = next(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))
    assert [c.value for c in row] == [2026, 1234, 1770000, 0.5]
    assert [c.number_format for c in row] == ["General", "General", "#,##0", "#,##0.00"]


def _damage_cost_summary(page: str) -> str:
    match = re.search(r"(Damage costs of the last twelve months|Skadekostnader de senaste tolv månaderna)[^<]*", page)
    assert match, "the damage-cost check is on the obligations page"
    return match.group(0)


def test_the_obligations_page_shows_the_damage_costs_grouped(client_for):
    summary = _damage_cost_summary(client_for("samordnare").get(reverse("obligations")).content.decode())
    assert re.search(r": \d{1,3}(,\d{3})+ SEK in \d+ incidents", summary), summary


@pytest.mark.no_english
def test_the_obligations_page_shows_the_damage_costs_grouped_in_swedish(user_for):
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.force_login(user_for("samordnare"))
    summary = _damage_cost_summary(client.get(reverse("obligations")).content.decode())
    assert re.search(rf": \d{{1,3}}({NBSP}\d{{3}})+ kr i \d+ händelser", summary), summary

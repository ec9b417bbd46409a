import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from varna.organisation import mandate


@pytest.mark.parametrize(("year", "day"), [(2018, 9), (2022, 11), (2026, 13), (2030, 8), (2034, 10)])
def test_election_day_is_the_second_sunday_of_september(year, day):
    assert mandate.election_day(year) == datetime.date(year, 9, day)


def test_terms_and_deadlines():
    period = mandate.MandatePeriod(2026)
    assert period.start == datetime.date(2026, 10, 15) and period.end == datetime.date(2030, 10, 14)
    assert period.board_start == datetime.date(2027, 1, 1)
    assert period.rva_deadline == datetime.date(2027, 10, 31)
    assert period.label == "2027–2030"


@pytest.mark.parametrize(
    ("day", "election_year"),
    [("2026-10-14", 2022), ("2026-10-15", 2026), ("2026-11-22", 2026), ("2030-10-14", 2026), ("2030-10-15", 2030)],
)
def test_the_current_period_changes_on_15_october(day, election_year):
    assert mandate.current(datetime.date.fromisoformat(day)).election_year == election_year


@given(st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_day_belongs_to_exactly_one_period(day):
    period = mandate.current(day)
    assert period.contains(day)
    assert not mandate.MandatePeriod(period.election_year - 4).contains(day)
    assert not mandate.MandatePeriod(period.election_year + 4).contains(day)
    assert mandate.election_day(period.election_year).weekday() == 6


def test_the_page_marks_the_current_period(client_for):
    page = client_for("medarbetare").get(reverse("organisation:mandate-periods")).content.decode()
    current = mandate.current()
    assert current.label in page and "2026-09-13" in page

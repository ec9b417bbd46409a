"""Mandate periods from the Swedish election calendar.

Regular elections are held on the second Sunday of September every fourth year (2022, 2026,
2030, ...). The council's term runs from 15 October of the election year for four years; the
executive board's from 1 January after. The risk and vulnerability analysis is due to the
county administrative board by 31 October of the first year after an election.
"""

import datetime
from dataclasses import dataclass

FIRST_ELECTION_YEAR = 2014  # the first election held in September after the 2014 reform of the cycle


def election_day(year: int) -> datetime.date:
    """The second Sunday of September."""
    first = datetime.date(year, 9, 1)
    first_sunday = first + datetime.timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + datetime.timedelta(days=7)


@dataclass(frozen=True)
class MandatePeriod:
    election_year: int

    @property
    def election_day(self) -> datetime.date:
        return election_day(self.election_year)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.election_year, 10, 15)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.election_year + 4, 10, 14)

    @property
    def board_start(self) -> datetime.date:
        return datetime.date(self.election_year + 1, 1, 1)

    @property
    def board_end(self) -> datetime.date:
        return datetime.date(self.election_year + 4, 12, 31)

    @property
    def rva_deadline(self) -> datetime.date:
        return datetime.date(self.election_year + 1, 10, 31)

    @property
    def label(self) -> str:
        return f"{self.election_year + 1}–{self.election_year + 4}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def election_year_for(day: datetime.date) -> int:
    """The election year whose council term covers the day."""
    year = day.year - (day.year - FIRST_ELECTION_YEAR) % 4
    if day < datetime.date(year, 10, 15):
        year -= 4
    return year


def current(day: datetime.date | None = None) -> MandatePeriod:
    from django.utils import timezone

    return MandatePeriod(election_year_for(day or timezone.localdate()))


def around(day: datetime.date | None = None, before: int = 2, after: int = 2) -> list[MandatePeriod]:
    now = current(day)
    return [MandatePeriod(now.election_year + 4 * offset) for offset in range(-before, after + 1)]

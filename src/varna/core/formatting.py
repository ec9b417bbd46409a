"""One way to write money and counts, in the pages, the PDF reports and the texts of the checks.

Swedish practice (Språkrådet, *Svenska skrivregler*): digits in groups of three separated by a
space that never breaks a number across lines, a decimal comma, and the unit after the number:
"1 770 000 kr". In English the groups are separated by commas and the unit is the currency code,
also after the number: "1,770,000 SEK". English style guides also write "SEK 1,770,000"; Värna
keeps the unit after the number in both languages because every English text of the interface
already does ("%(cost)s SEK", "Damage cost (SEK)"), so one sentence serves both languages and
a translator never has to move the unit.

The grouping follows the active language through Django's number formats (Swedish: a no-break
space U+00A0, English: a comma), whatever `USE_THOUSAND_SEPARATOR` says, so a figure looks the
same in a table, a sentence and a report. Values that are not numbers are returned unchanged
(like Django's `intcomma`), so `value|default_if_none:"–"|sek` style chains keep working;
None is written as a dash.

The template filters of the same names are in `core/templatetags/varna.py`.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

NO_VALUE = "–"
_NO_BREAK_SPACE = "\u00a0"


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return None


def amount(value, decimals: int | None = None) -> str:
    """An amount of money without its unit, grouped by thousands: "1 770 000" ("1,770,000").

    Whole amounts are written without decimals; others with two ("12 345,50"), unless `decimals`
    says how many (0 rounds half up to whole kronor, e.g. for a mean)."""
    if value is None:
        return NO_VALUE
    number = _number(value)
    if number is None:
        return value
    if decimals is None:
        decimals = 0 if number == number.to_integral_value() else 2
    decimals = int(decimals)  # a template passes {{ x|sek:0 }} as a number, "0" as a string
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def sek(value, decimals: int | None = None) -> str:
    """An amount in Swedish kronor with its unit: "1 770 000 kr" in Swedish, "1,770,000 SEK" in
    English; the number and the unit are kept on one line."""
    if value is None:
        return NO_VALUE
    if _number(value) is None:
        return value
    # The unit is the translation of "SEK" ("kr"), the same word the tables' headers use.
    unit = gettext("SEK")  # outside the f-string, where makemessages finds it
    return f"{amount(value, decimals)}{_NO_BREAK_SPACE}{unit}"


def count(value) -> str:
    """A whole number grouped by thousands like an amount: "12 345" ("12,345")."""
    return amount(value, 0)

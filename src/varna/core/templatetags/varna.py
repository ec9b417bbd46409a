from django import template

from varna.core import formatting
from varna.core.i18n import tr as translate_text

register = template.Library()


@register.filter
def tr(text):
    """The text of a profile's {sv, en} mapping in the active language."""
    return translate_text(text)


# Money and counts, written one way everywhere (core/formatting.py says how and why).
@register.filter
def sek(value, decimals=None):
    """An amount in kronor with its unit: {{ policy.premium|sek }} gives "1 770 000 kr"."""
    return formatting.sek(value, decimals)


@register.filter
def amount(value, decimals=None):
    """An amount grouped by thousands without the unit, for columns whose header names it."""
    return formatting.amount(value, decimals)


@register.filter
def count(value):
    """A whole number grouped by thousands: {{ n|count }} gives "12 345"."""
    return formatting.count(value)

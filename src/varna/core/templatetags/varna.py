from django import template

from varna.organisation.profiles import tr as translate_text

register = template.Library()


@register.filter
def tr(text):
    """The text of a profile's {sv, en} mapping in the active language."""
    return translate_text(text)

"""Texts that come in both languages from a profile ({sv: ..., en: ...})."""

from django.utils.translation import get_language


def tr(text: dict[str, str] | None) -> str:
    """The text of an {sv, en} mapping in the active language (Swedish when English is missing)."""
    if not text:
        return ""
    lang = (get_language() or "sv")[:2]
    return text.get(lang) or text.get("sv") or ""

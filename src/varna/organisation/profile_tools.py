"""`varna profile new` and `varna profile check`: writing a municipality's own profile.

A new profile starts as a copy of a shipped one without its demo (the demo's organisation is
fictitious and belongs to the shipped municipality), under a header that says what to change
and how to check it. The check gives exactly the loader's messages (file, line, field)."""

import re
from pathlib import Path

from django.utils.translation import gettext as _

from .profiles import BUILTIN_DIR, PROFILE_KEY, ProfileError, load_profile, parse_profile, profile_dirs

HEADER = """\
# Policyprofil för {key}: kommunens säkerhetspolicy som data.
# Skriven utifrån profilen {source}. Gå igenom varje avsnitt mot er egen policy:
#   municipality  – kommunens och koncernens namn och policyns titel
#   body_kinds, unit_levels, role_types – organen, nivåerna och rollerna som policyn talar om
#   obligations   – varje skyldighet i policyn, med ett id, dess text och kontrollerna som visar den
#   setup         – (valfritt) toppenheten och organen som `varna setup` skapar
# Formatet beskrivs i docs/profiles.md. Kontrollera filen med: varna profile check {file}
# Sätt sedan upp kommunen med: varna setup --profile {file}
"""


def _without_demo(text: str) -> str:
    """The text without its top-level `demo:` section (up to the next top-level key)."""
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        top_level = bool(re.match(r"[A-Za-z_][\w-]*\s*:", line))
        if top_level:
            skipping = line.split(":", 1)[0].strip() == "demo"
        if not skipping:
            out.append(line)
    return "".join(out).rstrip() + "\n"


def _without_leading_comments(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "".join(lines)


def new_profile(key: str, source: str, out: Path, *, force: bool = False) -> Path:
    """Write a starting profile for `key` from the profile `source`. Raises ValueError with a
    message for the user."""
    if not re.fullmatch(PROFILE_KEY, key):
        raise ValueError(
            _("'%(key)s' is not a profile key: lower-case letters, digits, - and _, starting with a letter.")
            % {"key": key}
        )
    if out.exists() and not force:
        raise ValueError(_("%(file)s exists already (--force overwrites it).") % {"file": out})
    profile = load_profile(source)
    path = next(folder / f"{source}.yaml" for folder in profile_dirs() if (folder / f"{source}.yaml").is_file())
    body = _without_demo(_without_leading_comments(path.read_text(encoding="utf-8")))
    body = re.sub(r"(?m)^profile:.*$", f"profile: {key}", body, count=1)
    text = HEADER.format(key=key, source=profile.key, file=out.name) + body
    parse_profile(text, out.name)  # what is written loads
    out.write_text(text, encoding="utf-8")
    return out


def check_profile(path: Path) -> tuple[bool, list[str]]:
    """(ok, lines to print): the loader's messages, or what the profile holds."""
    if not path.is_file():
        return False, [_("No such file: %(file)s") % {"file": path}]
    try:
        profile = parse_profile(path.read_text(encoding="utf-8"), path.name)
    except UnicodeDecodeError:
        return False, [_("%(file)s: the file is not UTF-8 text.") % {"file": path.name}]
    except ProfileError as exc:
        return False, list(exc.errors)
    lines = []
    if profile.key != path.stem:
        return False, [
            _("%(file)s: 'profile' is '%(value)s' but the file is named '%(key)s'")
            % {"file": path.name, "value": profile.key, "key": path.stem}
        ]
    checks = sum(len(o.get("checks") or []) for o in profile.obligations)
    lines.append(
        _("%(file)s is a valid profile for %(municipality)s: %(obligations)s obligations, %(checks)s checks.")
        % {
            "file": path.name,
            "municipality": profile.municipality["name"],
            "obligations": len(profile.obligations),
            "checks": checks,
        }
    )
    if (BUILTIN_DIR / path.name).is_file() and path.resolve() != (BUILTIN_DIR / path.name).resolve():
        lines.append(_("It has the name of a shipped profile and replaces it where it is installed."))
    return True, lines

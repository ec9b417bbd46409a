"""The obligation-check registry.

A profile binds each obligation to one or more named checks with parameters. A check is a
small function that reads the registers and answers met / partly / not met with evidence.
Areas register their checks in an `obligations.py` module, discovered at start-up.

Checks run for the whole group (the worker stores their answers for the start page), but the
page is read by every role: a summary counts and never names a record, and each piece of
evidence says which records it names (`Evidence.records`: their units and whether classified),
so that the page shows it only to a reader who may read all of them (`visible_evidence`) and
counts the rest as outside what the reader may see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import areas


class Status(models.TextChoices):
    MET = "met", gettext_lazy("Met")
    PARTLY = "partly", gettext_lazy("Partly met")
    NOT_MET = "not_met", gettext_lazy("Not met")
    NOT_CHECKABLE = "not_checkable", gettext_lazy("Not checkable yet")
    NOT_BUILT = "not_built", gettext_lazy("Area not built yet")


# Worst first: an obligation with several checks takes the worst answer.
_SEVERITY = [Status.NOT_MET, Status.PARTLY, Status.NOT_CHECKABLE, Status.NOT_BUILT, Status.MET]


@dataclass
class Evidence:
    """A record a check points to. `records` holds the (unit path, classified) of every record
    the label names; [] for what every role may see (a body); None, the default, for evidence
    that does not say: shown to nobody, so that a new check cannot leak by forgetting it."""

    label: str
    url: str = ""
    records: list[tuple[str | None, bool]] | None = None

    @classmethod
    def of(cls, record, label: str | None = None, url: str | None = None, also=()) -> "Evidence":
        """Evidence naming `record` (with its unit loaded; an org unit is its own unit), and
        `also` the other records its label names. A classified record is named by its kind only,
        even to readers cleared for it: the page is no logged read."""
        if label is None:
            label = (
                _("A classified %(kind)s") % {"kind": record._meta.verbose_name} if _classified(record) else str(record)
            )
        return cls(label, record.get_absolute_url() if url is None else url, [_scope(r) for r in (record, *also)])

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Evidence":
        records = data.get("records")
        if records is not None:
            records = [(path, bool(classified)) for path, classified in records]
        return cls(data.get("label", ""), data.get("url", ""), records)

    def as_json(self) -> dict[str, Any]:
        records = None if self.records is None else [[path, classified] for path, classified in self.records]
        return {"label": self.label, "url": self.url, "records": records}

    def visible_to(self, access) -> bool:
        if self.records is None:
            return False
        return all(
            access.may_read(
                SimpleNamespace(unit=SimpleNamespace(path=path) if path else None, is_classified=classified)
            )
            for path, classified in self.records
        )


def _classified(record) -> bool:
    return bool(getattr(record, "is_classified", False))


def _scope(record) -> tuple[str | None, bool]:
    # An org unit is its own unit (named by label: core reads the organisation through its records).
    unit = record if record._meta.label_lower == "organisation.orgunit" else getattr(record, "unit", None)
    return (unit.path if unit is not None else None, _classified(record))


@dataclass
class Result:
    status: Status
    summary: str
    evidence: list[Evidence] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "summary": self.summary,
            "evidence": [e.as_json() for e in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        return cls(Status(data["status"]), data["summary"], [Evidence.from_json(e) for e in data.get("evidence", [])])


@dataclass
class ShownResult:
    """A result as one reader sees it: the evidence they may open, and how many more there are."""

    status: Status
    summary: str
    evidence: list[Evidence]
    hidden: int  # pieces of evidence naming records outside what the reader may see


def visible_evidence(result: Result, access) -> ShownResult:
    shown = [e for e in result.evidence if e.visible_to(access)]
    return ShownResult(result.status, result.summary, shown, len(result.evidence) - len(shown))


def worst(results: list[Result]) -> Status:
    return min((r.status for r in results), key=_SEVERITY.index) if results else Status.NOT_BUILT


@dataclass
class Check:
    name: str
    func: Callable[..., Result]
    params: dict[str, tuple[str, bool]]  # param -> (reference section or "text"/"list", required)


class Registry:
    def __init__(self):
        self.checks: dict[str, Check] = {}

    def register(self, name: str, **params: tuple[str, bool]):
        """Register a check. Each keyword names a parameter and says what it refers to:
        ("role_types" | "unit_levels" | "body_kinds" | "document_kinds" | a section an area
        defines (core.areas: e.g. "zones" and "dimensions" of the risk matrix, "incident_categories"),
        required) or ("int" | "bool" | "text", required);
        a list of references is written with a trailing "[]", e.g. ("body_kinds[]", True)."""

        def decorator(func):
            self.checks[name] = Check(name, func, params)
            return func

        return decorator

    def validate(self, spec: dict[str, Any], profile_data: dict[str, Any]) -> str | None:
        check = self.checks.get(spec.get("check"))
        if check is None:
            return _("unknown check '%(name)s' (known: %(known)s)") % {
                "name": spec.get("check"),
                "known": ", ".join(sorted(self.checks)),
            }
        for param in spec:
            if param != "check" and param not in check.params:
                return _("check '%(name)s' has no parameter '%(param)s' (it takes: %(known)s)") % {
                    "name": check.name,
                    "param": param,
                    "known": ", ".join(check.params) or "–",
                }
        for param, (kind, required) in check.params.items():
            if param not in spec:
                if required:
                    return _("check '%(name)s' needs the parameter '%(param)s'") % {"name": check.name, "param": param}
                continue
            value = spec[param]
            section = kind.removesuffix("[]")
            values = value if kind.endswith("[]") else [value]
            if kind.endswith("[]") and not isinstance(value, list):
                return _("parameter '%(param)s' must be a list") % {"param": param}
            if kind.endswith("[]") and not values:
                return _("parameter '%(param)s' must not be empty") % {"param": param}
            if section == "bool":
                if not all(isinstance(v, bool) for v in values):
                    return _("parameter '%(param)s' must be true or false") % {"param": param}
                continue
            if section == "int":
                if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                    return _("parameter '%(param)s' must be a whole number") % {"param": param}
                continue
            if section == "text":
                continue
            defined_by_area = areas.profile_references().get(section)
            items = defined_by_area(profile_data) if defined_by_area else (profile_data.get(section) or [])
            known = {item.get("key") for item in items}
            for v in values:
                if v not in known:
                    return _("parameter '%(param)s': '%(value)s' is not declared in %(section)s") % {
                        "param": param,
                        "value": v,
                        "section": section,
                    }
        return None

    def run(self, spec: dict[str, Any], group, profile, cache: dict | None = None) -> Result:
        check = self.checks[spec["check"]]
        params = {k: v for k, v in spec.items() if k != "check"}
        if cache is None:
            return check.func(group, profile, **params)
        # Several obligations often bind the same check (HJ-6 and HJ-9 both ask about the
        # administrations' coordinators): answer it once per page.
        key = (check.name, repr(sorted(params.items())))
        if key not in cache:
            cache[key] = check.func(group, profile, **params)
        return cache[key]


registry = Registry()


def evaluate(obligation: dict[str, Any], group, profile, cache: dict | None = None) -> tuple[Status, list[Result]]:
    """Run every check bound to an obligation. An obligation that cannot be checked says
    honestly why: its area is not installed (its checks with it), or the profile leaves it to
    manual follow-up."""
    area = obligation["area"]
    if not areas.is_built(area):
        return Status.NOT_BUILT, [
            Result(
                Status.NOT_BUILT,
                _("The %(area)s area is not built yet, so this cannot be checked.") % {"area": areas.area_name(area)},
            )
        ]
    if not obligation["checks"]:
        return Status.NOT_CHECKABLE, [
            Result(
                Status.NOT_CHECKABLE,
                _("The profile binds no automatic check to this obligation; follow it up by hand."),
            )
        ]
    results = [registry.run(spec, group, profile, cache) for spec in obligation["checks"]]
    return worst(results), results

"""The layering rule (issue 11): core knows no area, and the organisation knows no area above it.

Core collects what the areas declare (core.areas) instead of importing them, so that an area is
added or removed without touching core. Core may read the organisation's models (the group, its
units, people and role assignments are what permissions are made of) and nothing else of it.
Every import is read, top-level and inside functions, so that a lazy import cannot hide one.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "varna"

# The apps that are areas above the organisation: every installed Värna app but these two.
BASE = {"core", "organisation"}


def _areas() -> set[str]:
    return {c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("varna.")} - BASE


def _imports(package: str):
    """(file, line, imported module) for every import in a package, relative ones resolved."""
    for path in sorted((SRC / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        # The package a relative import starts from: the file's folder (also for __init__.py).
        parts = ["varna", *path.relative_to(SRC).parent.parts]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, node.lineno, alias.name
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parts[: len(parts) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                # `from varna.organisation import importer` imports the module importer.
                for alias in node.names:
                    yield path, node.lineno, f"{module}.{alias.name}"


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "varna" and len(parts) > 1 else None


def _violations(package: str, allowed) -> list[str]:
    return [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path, line, module in _imports(package)
        if _app(module) is not None and not allowed(module)
    ]


def test_core_imports_no_area_and_only_the_organisations_models():
    areas = _areas()
    assert areas >= {"documents", "risks", "incidents", "insurance"}

    def allowed(module):
        app = _app(module)
        if app in areas:
            return False
        if app == "organisation":
            return module == "varna.organisation.models" or module.startswith("varna.organisation.models.")
        return True

    assert _violations("core", allowed) == []


def test_the_organisation_imports_no_area_above_it():
    areas = _areas()
    assert _violations("organisation", lambda module: _app(module) not in areas) == []


@pytest.mark.parametrize(
    "source",
    [
        "from varna.risks.scoring import DEFAULT_MATRIX\n",
        "def f():\n    from varna.incidents.models import Category\n",
        "import varna.documents.jobs\n",
    ],
)
def test_the_rule_sees_every_kind_of_import(tmp_path, monkeypatch, source):
    """The reader finds top-level, lazy and plain imports (a rule that reads nothing passes)."""
    package = tmp_path / "varna" / "core"
    package.mkdir(parents=True)
    (package / "probe.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "varna")
    assert len(_violations("core", lambda module: _app(module) not in _areas())) == 1


def test_a_relative_import_is_resolved_to_its_app(tmp_path, monkeypatch):
    package = tmp_path / "varna" / "organisation"
    package.mkdir(parents=True)
    (package / "probe.py").write_text("from ..risks import services\nfrom . import models\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "varna")
    assert [m for _p, _l, m in _imports("organisation")] == ["varna.risks.services", "varna.organisation.models"]


@pytest.mark.parametrize("area", sorted({"documents", "risks", "incidents", "insurance", "facilities"}))
def test_an_area_imports_only_the_areas_it_requires(area):
    """An area declares what it builds on (Area.requires); the imports may not say more, so that
    removing an area together with its dependants (core.areas.dependants) leaves nothing that
    imports it."""
    from varna.core import areas as registry

    declared = {a.key: set(a.requires) for a in registry.installed()}
    allowed_apps = BASE | {area} | declared[area]
    assert _violations(area, lambda module: _app(module) in allowed_apps or _app(module) not in _areas()) == []

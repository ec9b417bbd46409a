"""The marker crawl: no page, list, search, export, report, feed, notification or admin page
names a record its reader may not see, every response that shows classified content wrote an
access-log entry, and none is a 500.

The Härjedalen demo gets, in every unit, records of every kind carrying unique markers,
internal and classified, linked across units and edited after creation (tests/crawl/markers.py,
where a new area registers its models). Then, as each demo login and as an anonymous visitor,
the crawl (tests/crawl/crawler.py) fetches every page without parameters, the searches and
filters of the lists, the exports, the login's calendar feed and every marker record's own
page, and follows every link from there within a bound per URL pattern. Who may read which
marker is data (markers.SCOPES), not the application's code. Each login must also meet every
marker it may read somewhere (so the crawl cannot pass by reaching nothing), and a record's own
page must open for those who may read it and answer 403/404 to everyone else. All failures of a
login are collected and reported together, one line per kind of failure and page.

MARKER_CRAWL_REPORT=<file> appends every failure (tab-separated) to the file, and
MARKER_CRAWL_TIMES=<file> every response's time, for looking into a failure or a slow crawl.
"""

import logging
import os
import time
from collections import defaultdict

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.crawl.crawler import NOT_FOLLOWED, Crawler
from tests.crawl.markers import MARKER, SCOPES, make_markers
from varna.core.models import AccessLogEntry
from varna.organisation.demo import load_demo
from varna.organisation.profiles import load_profile

# Lists with a search field (q) and the exports that take the list's filters; lists that filter
# by unit (enhet). Other pages are reached without parameters and through their links.
SEARCHED = [
    "organisation:people",
    "organisation:parties",
    "documents:list",
    "documents:export",
    "documents:public",
    "risks:list",
    "risks:export",
    "risks:measures",
    "risks:measure-export",
    "incidents:list",
    "incidents:export",
    "facilities:list",
    "facilities:export",
    "facilities:alarms",
    "facilities:alarm-export",
    "facilities:cameras",
    "facilities:camera-export",
]
BY_UNIT = [
    "organisation:people",
    "organisation:parties",
    "documents:list",
    "documents:calendar",
    "risks:list",
    "risks:measures",
    "incidents:list",
    "facilities:list",
    "facilities:export",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo and the markers, made once for the module and rolled back after it (each test
    runs in a savepoint of its own inside, as with the `db` fixture)."""
    from varna.documents.feed_views import create_token

    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        group, _ = load_demo(load_profile("harjedalen"))
        markers = make_markers(group)
        feeds = {login: create_token(user) for login, user in markers.users.items()}
        print(f"\nmarker crawl: {len(markers.marked)} markers made in {time.monotonic() - started:.1f} s")
        yield markers, feeds
        transaction.set_rollback(True)


def _names_without_arguments(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names_without_arguments(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def start_urls(m, login, feeds) -> list[str]:
    urls = []
    for name in dict.fromkeys(_names_without_arguments()):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # it takes arguments: reached through links and the records' own pages
        if not url.startswith(NOT_FOLLOWED):
            urls.append(url)
    urls += [f"{reverse(name)}?q=MRK" for name in SEARCHED]
    # PostgreSQL searches documents by word (Swedish full-text): a word of every marker document's text.
    urls += [f"{reverse(name)}?q=Innehåll" for name in ("documents:list", "documents:export", "documents:public")]
    for code in ("HK", "TF", "SOF"):
        urls += [f"{reverse(name)}?enhet={m.by_code[code].pk}" for name in BY_UNIT]
    urls += [
        f"{reverse('risks:list')}?analys={m.get('analysis', 'SOF', 'cls').pk}",
        f"{reverse('risks:measure-create')}?risk={m.get('risk', 'SOF', 'cls').pk}",
        f"{reverse('risks:matrix')}?visa=rest",
        f"{reverse('insurance:list')}?alla=1",
        f"{reverse('facilities:cameras')}?anlaggning={m.get('site', 'SOF', 'cls').pk}&status=alla",
        f"{reverse('facilities:camera-export')}?saknar=1",
    ]
    from django.contrib import admin

    urls += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") + "?q=MRK"
        for model in admin.site._registry
    ]
    if login is not None:
        urls.append(reverse("documents:feed", args=[feeds[login]]))
    return urls + list(m.pages)


class Failures:
    """Everything that went wrong for one login, reported together."""

    def __init__(self, login):
        self.login = login
        self.items: list[tuple[str, str, str, str]] = []  # (what, URL name, URL, detail)
        self.groups = defaultdict(list)

    def add(self, what, page, detail="", marked=None):
        self.items.append((what, page.name, page.url, detail))
        kind = f"{'cleared-only' if marked.needs_clearance else 'internal'} {marked.kind}" if marked else ""
        self.groups[(what, page.name, kind)].append(f"{page.url} {detail}".strip())

    def never_shown(self, marked):
        self.items.append(("never shown", "", marked.url or "", marked.describe()))
        self.groups[("never shown", "-", marked.kind)].append(marked.describe())

    def report(self) -> str:
        """One line per kind of failure, URL name and kind of record, with the first examples."""
        lines = [f"{len(self.items)} failures as {self.login or 'anonymous'}:"]
        for (what, name, kind), found in sorted(self.groups.items()):
            lines.append(f"- {what} on {name}{f' ({kind})' if kind else ''}, {len(found)}×: {'; '.join(found[:3])}")
        return "\n".join(lines)


def check(m, login, page, failures: Failures) -> None:
    if page.status >= 500:
        failures.add("500", page, page.error)
        return
    unlogged = []
    for number in dict.fromkeys(MARKER.findall(page.text)):
        marked = m.lookup(number)
        if marked is None:
            failures.add("unknown marker", page, f"MRK{number}")
        elif not m.may_see(login, marked):
            failures.add("leak", page, marked.describe(), marked)
        elif marked.needs_clearance and page.status < 300 and not page.logged:
            unlogged.append(marked)
    if unlogged:  # one failure per response: what matters is that nothing was logged
        failures.add("unlogged", page, f"{len(unlogged)} cleared-only markers, e.g. {unlogged[0].describe()}")
    own = m.pages.get(page.url)
    if own is not None:
        if login is None:
            if page.status != 302:
                failures.add("own page not sent to log in", page, f"{page.status} {own.describe()}", own)
        elif m.may_see(login, own, asked=False):
            if page.status != 200:
                failures.add("own page out of reach", page, f"{page.status} {own.describe()}", own)
        elif page.status not in (403, 404):
            failures.add("own page answered out of scope", page, f"{page.status} {own.describe()}", own)


@pytest.fixture
def quiet(monkeypatch):
    """The crawl's thousands of 403s and 404s are expected: keep them out of the output. And
    render templates without the test client's instrumentation, which copies every template's
    context for assertions the crawl does not make (a fifth of its time)."""
    from django.template.base import PartialTemplate, Template
    from django.test.utils import _TestState

    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    monkeypatch.setattr(PartialTemplate, "_render", _TestState.saved_data.partial_template_render)
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security", "weasyprint", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.mark.parametrize("login", list(SCOPES), ids=lambda login: login or "anonymous")
def test_no_marker_outside_the_scope_and_every_classified_read_logged(world, db, quiet, login):
    m, feeds = world
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if login is not None:
        client.force_login(m.users[login])
    crawler = Crawler(client, log_count=AccessLogEntry.objects.count)
    failures = Failures(login)
    started, pages, seen = time.monotonic(), 0, set()
    for page in crawler.run(start_urls(m, login, feeds)):
        pages += 1
        check(m, login, page, failures)
        seen.update(MARKER.findall(page.text))
        if os.environ.get("MARKER_CRAWL_TIMES"):
            with open(os.environ["MARKER_CRAWL_TIMES"], "a", encoding="utf-8") as out:
                out.write(f"{login}\t{page.name}\t{page.status}\t{page.seconds:.3f}\t{page.url}\n")
    print(f"\nmarker crawl as {login or 'anonymous'}: {pages} responses in {time.monotonic() - started:.1f} s")
    # The crawl proves something only if it reaches what the login may read: every such marker.
    for marked in m.marked.values():
        if m.may_see(login, marked) and marked.marker[3:7] not in seen:
            failures.never_shown(marked)
    if os.environ.get("MARKER_CRAWL_REPORT"):
        with open(os.environ["MARKER_CRAWL_REPORT"], "a", encoding="utf-8") as out:
            for item in failures.items:
                out.write("\t".join([login or "anonymous", *item]) + "\n")
    if failures.items:
        pytest.fail(failures.report(), pytrace=False)


# Scoped models without marked records of their own, and why that leaves nothing unchecked.
NOT_MARKED = {
    "incidents.IncidentSummary": "sums of the marked incidents; the statistics pages showing them are crawled",
}


def test_every_register_of_every_installed_area_has_markers(world, db):
    """An area joins the crawl by making marked records in tests/crawl/markers.py: a model of an
    installed area that is read through a unit's scope (core.links.is_scoped) and has no marked
    record fails here, so a new area cannot be left out of the crawl."""
    from django.apps import apps

    from varna.core import areas
    from varna.core.links import is_scoped

    markers, _feeds = world
    covered = {type(record)._meta.label for record in markers.records.values()}
    missing = [
        model._meta.label
        for area in areas.installed()
        for model in apps.get_app_config(area.key).get_models()
        if is_scoped(model) and model._meta.label not in covered | set(NOT_MARKED)
    ]
    assert missing == [], missing

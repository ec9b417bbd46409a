"""Measure the server time of the main pages, in process, against the database in DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/varna_bench uv run python bench/run.py [-n 30]

For each page and each bench user (made by bench/generate.py): log in with force_login, make
3 warm-up requests, record the SQL of one request (CaptureQueriesContext), then time N requests
of Django's test Client with time.perf_counter. The time is the whole request through every
middleware and the template, without a network or a WSGI server. DEBUG is off.

Prints a Markdown table and writes it to bench/out/last-run.md. --explain prints each page's
queries with their times and runs EXPLAIN ANALYZE on the slowest ones.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

COORDINATOR_USERNAME = "bench-samordnare"
HEAD_USERNAME = "bench-chef"
# A word of bench/generate.py's document texts (a subject, and in some inspection sentences): full-text
# search finds it in about one document in five.
DOCUMENT_SEARCH_WORD = "brandskydd"
# A word of bench/generate.py's risk titles and descriptions ("Brand i ...", "Skogsbrand ..."):
# substring search (icontains) finds it in about one risk in eight.
RISK_SEARCH_WORD = "brand"
# A word of bench/incident_data.py's descriptions ("Krossade fönster ...", "Inbrott genom fönster ..."):
# substring search (icontains on place and description) finds it in about one incident in twenty.
INCIDENT_SEARCH_WORD = "fönster"
# How deep the incident list's "deep page" is: page 100 is row 4,951 onwards (an OFFSET of 4,950).
DEEP_PAGE = 100
BIG_ANALYSIS_TITLE = "Bench: en stor analys"  # made by bench/generate.py --risks-in-one-analysis N
COORDINATOR_LABEL = "group coordinator"

# From shared/DESIGN.md, "Budgets": server time p95 per kind of page, and queries per page.
BUDGETS_MS = {"list": 50, "detail": 20, "dashboard": 150, "export": None}  # exports: time only
QUERY_BUDGET = 15


@dataclass
class Page:
    name: str
    url: str
    kind: str  # list | detail | dashboard | export (timed apart, a few times, no budget)
    users: tuple[str, ...] = ()  # the user labels measured (empty: both)


@dataclass
class Result:
    page: Page
    user: str
    status: int
    median: float
    p95: float
    fastest: float
    cpu: float  # median CPU time of this (the Django) process; the database's own time is apart
    sql_ms: float  # median time spent waiting for SQL per request
    queries: int
    captured: list

    @property
    def budget(self) -> int | None:
        return BUDGETS_MS[self.page.kind]

    @property
    def ok(self) -> bool:
        if self.budget is None:
            return self.status == 200
        return self.status == 200 and self.p95 <= self.budget and self.queries <= QUERY_BUDGET


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "varna.settings"
    os.environ["VARNA_ENV"] = "development"
    os.environ["VARNA_DEBUG"] = "0"
    import django

    django.setup()


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def targets():
    """The rows the pages are measured on, all inside the scoped head's administration so that
    both users see the same rows."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from varna.organisation.models import ExternalParty, Person, RoleAssignment

    User = get_user_model()
    try:
        coordinator = User.objects.get(username=COORDINATOR_USERNAME)
        head = User.objects.get(username=HEAD_USERNAME)
    except User.DoesNotExist:
        raise SystemExit("No bench users here: run bench/generate.py against this database first.") from None
    profile = head.person.group.profile
    head_roles = profile.roles_with(responsibility="head")
    admin = (
        RoleAssignment.objects.current()
        .filter(person__user=head, role__in=head_roles)
        .select_related("unit")
        .order_by("unit__depth")
        .first()
        .unit
    )
    in_admin = Person.objects.filter(unit__path__startswith=admin.path, employment_end__isnull=True)
    person = in_admin.order_by("pk")[in_admin.count() // 2]
    parties = ExternalParty.objects.exclude(classification="classified").annotate(n=Count("contracts"))
    # A party the scoped head may see; failing that (the bare demo), any (the head then gets a 404).
    party = parties.filter(unit__path__startswith=admin.path).order_by("-n", "pk").first()
    party = party or parties.order_by("-n", "pk").first()
    surname = (
        Person.objects.filter(group=admin.group)
        .values("last_name")
        .annotate(n=Count("id"))
        .order_by("-n", "last_name")
        .first()["last_name"]
    )
    pages = [
        Page("start page (dashboard)", "/", "dashboard"),
        Page("organisation overview", "/organisation/", "list"),
        Page("unit detail (administration)", f"/organisation/enheter/{admin.pk}/", "detail"),
        Page("people list", "/organisation/personer/", "list"),
        Page(f"people list, search q={surname}", f"/organisation/personer/?q={surname}", "list"),
        # A substring that sorts nowhere in particular (Lindberg, Bergström, ...): the page query cannot
        # stop early by walking the name index, as it can for a surname at the start of the alphabet.
        Page("people list, search q=berg (substring)", "/organisation/personer/?q=berg", "list"),
        Page("people list, filter by administration", f"/organisation/personer/?enhet={admin.pk}", "list"),
        Page("person detail", f"/organisation/personer/{person.pk}/", "detail"),
        Page("external parties list", "/organisation/externa-parter/", "list"),
        Page("external party detail", f"/organisation/externa-parter/{party.pk if party else 0}/", "detail"),
        Page("obligations", "/skyldigheter/", "dashboard"),
        Page("mandate periods", "/organisation/mandatperioder/", "detail"),
    ]
    pages += document_pages(admin)
    pages += risk_pages(admin)
    pages += incident_pages(admin)
    pages += key_pages(admin, surname)
    users = [(COORDINATOR_LABEL, coordinator), ("scoped head", head)]
    return pages, users, admin


def document_pages(admin) -> list[Page]:
    """The governing documents' pages, if the data set has documents (bench/generate.py makes them)."""
    from django.db.models import Count

    from varna.documents.models import Document, Status

    documents = Document.objects.filter(group=admin.group)
    # The most common kind (instructions in harjedalen) and, for the detail, the document in the
    # head's administration that both users may see with the most decisions and versions.
    kind = documents.values("kind").annotate(n=Count("id")).order_by("-n", "kind").first()
    detail = (
        documents.filter(unit__path__startswith=admin.path)
        .exclude(classification="classified")
        .annotate(n_decisions=Count("decisions", distinct=True), n_versions=Count("versions", distinct=True))
        .order_by("-n_decisions", "-n_versions", "pk")
        .first()
    )
    if kind is None or detail is None:
        print("No governing documents in this data set: their pages are left out.", file=sys.stderr)
        return []
    kind = kind["kind"]
    return [
        Page("documents: register", "/styrdokument/", "list"),
        Page(
            f"documents: register, typ={kind} status=in_force",
            f"/styrdokument/?typ={kind}&status={Status.IN_FORCE}",
            "list",
        ),
        Page(
            f"documents: register, search q={DOCUMENT_SEARCH_WORD}",
            f"/styrdokument/?q={DOCUMENT_SEARCH_WORD}",
            "list",
        ),
        Page("documents: register, review overdue", "/styrdokument/?granskning=forsenad", "list"),
        Page(
            f"documents: detail ({detail.n_versions} versions, {detail.n_decisions} decisions)",
            f"/styrdokument/{detail.pk}/",
            "detail",
        ),
        Page("documents: review calendar", "/styrdokument/granskningskalender/", "list"),
    ]


def risk_pages(admin) -> list[Page]:
    """The risk and measure pages, if the data set has risks (bench/generate.py makes them).

    The rows measured are in the scoped head's administration and not classified, so that both
    users see them. The group's RSA is owned by the root unit, which a head does not see: its
    pages are measured for the coordinator only, and the largest unit analysis in the head's
    administration for both. The big analysis of --risks-in-one-analysis is owned by the head's
    administration."""
    from django.db.models import Count

    from varna.organisation import mandate
    from varna.risks.models import Analysis, Measure, Risk, matrix_for

    group = admin.group
    risks = Risk.objects.filter(group=group)
    if not risks.exists():
        print("No risks in this data set: their pages are left out.", file=sys.stderr)
        return []
    severe = matrix_for(group).ordered_zones()[-1].key
    analyses = Analysis.objects.filter(group=group)
    rva = (
        analyses.filter(kind=Analysis.Kind.RVA, election_year=mandate.current().election_year)
        .order_by("-started_on", "pk")
        .first()
    )
    big = analyses.filter(title=BIG_ANALYSIS_TITLE).order_by("-pk").first()
    visible = {"unit__path__startswith": admin.path, "classification__in": ("public", "internal")}
    unit_analysis = (
        analyses.filter(kind=Analysis.Kind.UNIT, **visible)
        .exclude(title=BIG_ANALYSIS_TITLE)
        .annotate(n=Count("risks"))
        .order_by("-n", "pk")
        .first()
    )
    # The risk with the most assessments and measures, and a measure with a document and the
    # most risks (both outside the big analysis, so that they stay the same between data sets).
    risk = (
        risks.filter(**visible)
        .exclude(analysis__title=BIG_ANALYSIS_TITLE)
        .annotate(n_assessments=Count("assessments", distinct=True), n_measures=Count("measures", distinct=True))
        .order_by("-n_assessments", "-n_measures", "pk")
        .first()
    )
    measure = (
        Measure.objects.filter(group=group, document__isnull=False, **visible)
        .annotate(n=Count("risks"))
        .order_by("-n", "pk")
        .first()
    )
    pages = [
        Page("risks: list", "/risker/", "list"),
        Page(f"risks: list, filter zone {severe} + active", f"/risker/?zon={severe}&status=active", "list"),
        Page(f"risks: list, search q={RISK_SEARCH_WORD}", f"/risker/?q={RISK_SEARCH_WORD}", "list"),
        Page("risks: list, life and health", "/risker/?liv=1", "list"),
        Page("risks: list, due for review", "/risker/?granskning=forsenad", "list"),
        # shared/DESIGN.md: "risk matrix and other counts ≤ 50 ms".
        Page("risks: matrix", "/risker/matris/", "list"),
    ]
    if rva is not None:
        n = rva.risks.count()
        pages += [
            Page(
                f"risks: matrix, one analysis (the RSA, {n} risks)",
                f"/risker/matris/?analys={rva.pk}",
                "list",
                (COORDINATOR_LABEL,),
            ),
            Page(
                f"risks: analysis detail (RSA, {n} risks)",
                f"/risker/analyser/{rva.pk}/",
                "list",
                (COORDINATOR_LABEL,),
            ),
        ]
    if unit_analysis is not None:
        n = unit_analysis.n
        pages += [
            Page(
                f"risks: matrix, one analysis (unit analysis, {n} risks)",
                f"/risker/matris/?analys={unit_analysis.pk}",
                "list",
            ),
            Page(f"risks: analysis detail (unit analysis, {n} risks)", f"/risker/analyser/{unit_analysis.pk}/", "list"),
        ]
    if risk is not None:
        pages.append(
            Page(
                f"risks: risk detail ({risk.n_assessments} assessments, {risk.n_measures} measures)",
                f"/risker/{risk.pk}/",
                "detail",
            )
        )
    pages += [
        Page("measures: list", "/risker/atgarder/", "list"),
        Page("measures: overdue", "/risker/atgarder/?forfallen=1", "list"),
    ]
    if measure is not None:
        pages.append(Page(f"measures: detail ({measure.n} risks)", f"/risker/atgarder/{measure.pk}/", "detail"))
    if big is not None:
        n = big.risks.count()
        pages += [
            Page(f"risks: list of the big analysis ({n} risks)", f"/risker/?analys={big.pk}", "list"),
            Page(f"risks: matrix of the big analysis ({n} risks)", f"/risker/matris/?analys={big.pk}", "list"),
            Page(f"risks: analysis detail of the big analysis ({n} risks)", f"/risker/analyser/{big.pk}/", "list"),
        ]
    return pages


def incident_pages(admin) -> list[Page]:
    """The incident and insurance pages, if the data set has incidents (bench/generate.py makes
    them; the demo has about a hundred).

    Filters on rows both users see: the head's administration (?enhet=), last year (a whole
    year). The detail is of a non-classified incident in the head's administration with the most
    cost items, persons involved and links to measures and risks."""
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.utils import timezone

    from varna.incidents.models import Incident

    incidents = Incident.objects.filter(group=admin.group)
    if not incidents.exists():
        print("No incidents in this data set: their pages are left out.", file=sys.stderr)
        return []
    year = timezone.localdate().year - 1
    linked = Incident.measures.through.objects.values("incident_id")
    detail = (
        incidents.filter(unit__path__startswith=admin.path, occurred_at__year__gte=year, pk__in=linked)
        .exclude(classification="classified")
        .annotate(
            n_items=Count("cost_items", distinct=True),
            n_persons=Count("persons", distinct=True),
            n_links=Count("measures", distinct=True) + Count("risks", distinct=True),
        )
        .order_by("-n_links", "-n_items", "-n_persons", "-pk")
        .first()
    )
    n_year = incidents.filter(occurred_at__year=year).count()
    # A site searched by name: the one with the most incidents in the head's administration
    # (the place up to its comma, "Hammars förskola" of "Hammars förskola, entrén").
    busiest = (
        incidents.filter(unit__path__startswith=admin.path)
        .exclude(place="")
        .values("place")
        .annotate(n=Count("id"))
        .order_by("-n", "place")
        .first()
    )
    site = busiest["place"].split(",")[0] if busiest else INCIDENT_SEARCH_WORD
    pages = [
        Page("incidents: list", "/handelser/", "list"),
        Page(f"incidents: list, page {DEEP_PAGE}", f"/handelser/?sida={DEEP_PAGE}", "list"),
        Page(f"incidents: list, vandalism in {year}", f"/handelser/?kategori=vandalism&ar={year}", "list"),
        Page("incidents: list, the head's administration", f"/handelser/?enhet={admin.pk}", "list"),
        Page("incidents: list, not closed", "/handelser/?status=oppna", "list"),
        Page(f"incidents: list, search q={INCIDENT_SEARCH_WORD}", f"/handelser/?q={INCIDENT_SEARCH_WORD}", "list"),
        Page(f"incidents: list, search for a site q={site}", f"/handelser/?{urlencode({'q': site})}", "list"),
    ]
    if detail is not None:
        pages.append(
            Page(
                f"incidents: detail ({detail.n_items} cost items, {detail.n_persons} persons, {detail.n_links} links)",
                f"/handelser/{detail.pk}/",
                "detail",
            )
        )
    pages += [
        Page("incidents: damage costs (dashboard)", "/handelser/skadekostnader/", "dashboard"),
        Page("insurance: risk financing", "/forsakringar/riskfinansiering/", "dashboard"),
        Page(f"incidents: XLSX export of {year} ({n_year} in the year)", f"/handelser/export.xlsx?ar={year}", "export"),
    ]
    return pages


def measure_exports(client, pages: list[Page], label: str, n: int) -> list[Result]:
    """Downloads, timed apart from the pages: one request with its SQL recorded, then n timed."""
    results = []
    for page in pages:
        status, queries = capture(client, page)
        wall, cpu = [], []
        for _ in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(page.url)
            _ = response.content  # the whole file
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            status = status if response.status_code == 200 else response.status_code
        results.append(
            Result(
                page=page,
                user=label,
                status=status,
                median=statistics.median(wall),
                p95=percentile(wall, 0.95),
                fastest=min(wall),
                cpu=statistics.median(cpu),
                sql_ms=sum(q.get("ms", 0) for q in queries),
                queries=len(queries),
                captured=queries,
            )
        )
    return results


class QueryTimer:
    """An execute wrapper: the time of each query with perf_counter, sending and fetching included
    (the debug log's own times are rounded to whole milliseconds)."""

    def __init__(self):
        self.ms: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def key_pages(admin, surname: str) -> list[Page]:
    """The key register's pages, if the data set has keys (bench/key_data.py makes them): the
    register, searched for a holder's surname and for a number, filtered to keys without a
    receipt, the keys due for return, and the largest key system the scoped head may see."""
    from django.db.models import Count

    from varna.facilities.models import Key, KeySystem

    keys = Key.objects.filter(system__site__group=admin.group)
    if not keys.exists():
        print("No keys in this data set: their pages are left out.", file=sys.stderr)
        return []
    system = (
        KeySystem.objects.filter(site__unit__path__startswith=admin.path, classification="internal")
        .annotate(n=Count("keys"))
        .order_by("-n", "pk")
        .first()
    )
    number = keys.order_by("pk")[keys.count() // 2].number
    pages = [
        Page(f"keys: register ({keys.count()} keys)", "/anlaggningar/nycklar/", "list"),
        Page(f"keys: search holder q={surname}", f"/anlaggningar/nycklar/?q={surname}", "list"),
        Page(f"keys: search number q={number}", f"/anlaggningar/nycklar/?q={number}", "list"),
        Page("keys: without a receipt", "/anlaggningar/nycklar/?status=utan-kvittens", "list"),
        Page("keys: due for return", "/anlaggningar/nycklar/att-aterlamna/", "list"),
    ]
    if system is not None:
        pages.append(Page(f"keys: key system ({system.n} keys)", f"/anlaggningar/nyckelsystem/{system.pk}/", "detail"))
    return pages


def capture(client, page: Page) -> tuple[int, list[dict]]:
    """One request with its SQL recorded: (status, queries with their time in ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timer = QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        response = client.get(page.url)
    queries = list(captured.captured_queries)  # copy now: the next request clears the log
    for query, ms in zip(queries, timer.ms, strict=False):
        query["ms"] = ms
    return response.status_code, queries


def measure(client, pages: list[Page], label: str, n: int, warmup: int) -> list[Result]:
    """Warm up, record the SQL of one request per page, then time n rounds over all pages.

    The pages take turns (round-robin) rather than each running its n requests in a block, so
    that bursts of load from other processes on the machine fall evenly on all pages. The time
    spent in SQL is measured on every request (a light execute wrapper) and reported as a median."""
    from django.db import connection

    for page in pages:
        for _ in range(warmup):
            client.get(page.url)
    captured = {page.url: capture(client, page) for page in pages}
    wall: dict[str, list[float]] = {page.url: [] for page in pages}
    cpu: dict[str, list[float]] = {page.url: [] for page in pages}
    statuses: dict[str, set[int]] = {page.url: {captured[page.url][0]} for page in pages}
    sql: dict[str, list[float]] = {page.url: [] for page in pages}
    for _ in range(n):
        for page in pages:
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(page.url)
                wall[page.url].append((time.perf_counter() - started) * 1000)
                cpu[page.url].append((time.process_time() - started_cpu) * 1000)
            sql[page.url].append(sum(timer.ms))
            statuses[page.url].add(response.status_code)
    results = []
    for page in pages:
        queries = captured[page.url][1]
        odd = sorted(statuses[page.url] - {200})
        results.append(
            Result(
                page=page,
                user=label,
                status=odd[0] if odd else 200,
                median=statistics.median(wall[page.url]),
                p95=percentile(wall[page.url], 0.95),
                fastest=min(wall[page.url]),
                cpu=statistics.median(cpu[page.url]),
                queries=len(queries),
                sql_ms=statistics.median(sql[page.url]),
                captured=queries,
            )
        )
    return results


def profile(client, page: Page, label: str, n: int) -> str:
    """Where the time of a page goes, in Python: cProfile over n requests (slower than unprofiled)."""
    import cProfile
    import io
    import pstats

    client.get(page.url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(page.url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return f"\n### {page.name} — {label} (cProfile, {n} requests)\n{out.getvalue()}"


def explain(result: Result, top: int) -> str:
    from django.db import connection

    lines = [f"\n### {result.page.name} — {result.user} ({result.queries} queries, {result.sql_ms:.1f} ms SQL)\n"]
    for i, q in enumerate(result.captured, 1):
        lines.append(f"{i:2}. {q.get('ms', 0):7.2f} ms  {q['sql'][:300]}")
    slowest = sorted(result.captured, key=lambda q: q.get("ms", 0), reverse=True)[:top]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for q in slowest:
                if not q["sql"].lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {q['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                lines.append(f"\n```\n{q['sql']}\n\n{plan}\n```")
    return "\n".join(lines)


def data_sizes() -> dict[str, int]:
    from varna.documents.models import Decision, Document, DocumentVersion
    from varna.incidents.models import CostItem, Incident
    from varna.insurance.models import InsurancePolicy
    from varna.organisation.models import Contract, ExternalParty, OrgUnit, Person, RoleAssignment
    from varna.risks.models import Analysis, Assessment, Measure, Risk

    return {
        "org units": OrgUnit.objects.count(),
        "people": Person.objects.count(),
        "role assignments": RoleAssignment.objects.count(),
        "external parties": ExternalParty.objects.count(),
        "contracts": Contract.objects.count(),
        "documents": Document.objects.count(),
        "document versions": DocumentVersion.objects.count(),
        "decisions": Decision.objects.count(),
        "risk analyses": Analysis.objects.count(),
        "risks": Risk.objects.count(),
        "assessments": Assessment.objects.count(),
        "measures": Measure.objects.count(),
        "incidents": Incident.objects.count(),
        "cost items": CostItem.objects.count(),
        "insurance policies": InsurancePolicy.objects.count(),
    }


def code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes (others edit concurrently)."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return "unknown commit"
    try:
        commit = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "status", "--porcelain", "--", "src"], cwd=BENCH.parent, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {commit}{' + uncommitted changes in src/' if dirty else ''}"


def render(results: list[Result], n: int, warmup: int, admin, started: datetime.datetime, export_n: int = 3) -> str:
    from django import get_version
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0].split(" on ")[0]
    sizes = ", ".join(f"{v:,} {k}".replace(",", " ") for k, v in data_sizes().items())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} · {platform.node()} · {os.cpu_count()} cores (load average {load}) · "
        f"Python {platform.python_version()} · Django {get_version()} · {db_version} · DEBUG={settings.DEBUG} · "
        f"{code_version()}",
        "",
        f"Data: {sizes}. Scoped head: {HEAD_USERNAME}, head of {admin.name} (unit {admin.pk}).",
        f"Per page: {warmup} warm-up requests, then {n} timed (round-robin over the pages); "
        "queries counted on one request; SQL ms = median time per request waiting for the database; "
        "app CPU ms = median CPU time of the Django process. "
        f"Budget: p95 ≤ {BUDGETS_MS['list']} ms lists, ≤ {BUDGETS_MS['detail']} ms details, "
        f"≤ {BUDGETS_MS['dashboard']} ms dashboards; ≤ {QUERY_BUDGET} queries. Exports: {export_n} timed "
        "requests each after the pages (SQL ms: of the recorded request), no budget.",
        "",
        "| page | user | status | median ms | p95 ms | min ms | app CPU ms | SQL ms | queries | budget ms "
        "| median/budget | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "ok" if r.ok else "**over**"
        if r.status != 200:
            verdict = f"**HTTP {r.status}**"
        elif r.budget is None:
            verdict = "time only"
        elif r.ok and r.median > r.budget * 0.8:
            verdict = "ok (close)"
        budget = "–" if r.budget is None else r.budget
        ratio = "–" if r.budget is None else f"{r.median / r.budget:.2f}"
        lines.append(
            f"| {r.page.name} | {r.user} | {r.status} | {r.median:.1f} | {r.p95:.1f} | {r.fastest:.1f} | "
            f"{r.cpu:.1f} | {r.sql_ms:.1f} | {r.queries} | {budget} | {ratio} | {verdict} |"
        )
    over = [r for r in results if not r.ok]
    lines += ["", f"{len(results) - len(over)} of {len(results)} measurements within budget."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=30, help="timed requests per page and user (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--export-n", type=int, default=3, help="timed requests per export and user (default 3)")
    parser.add_argument(
        "--only",
        default="",
        help="measure only pages whose name contains this text (or one of several, comma-separated)",
    )
    parser.add_argument("--explain", action="store_true", help="print queries and EXPLAIN ANALYZE of the slowest")
    parser.add_argument("--top", type=int, default=2, help="how many of a page's slowest queries to EXPLAIN")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the timed requests of each page and print the top functions"
    )
    parser.add_argument(
        "--statement-timeout",
        type=int,
        default=0,
        metavar="MS",
        help="PostgreSQL: cancel any query after MS milliseconds (a page that needs longer is reported as HTTP 500)",
    )
    parser.add_argument("--out", default=str(BENCH / "out" / "last-run.md"))
    args = parser.parse_args(argv)

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if args.statement_timeout and connection.vendor == "postgresql":
        options = connection.settings_dict.setdefault("OPTIONS", {})
        options["options"] = f"-c statement_timeout={args.statement_timeout}"
        connection.close()

    # The code may have moved on since the data was generated: bring the schema up to date.
    call_command("migrate", interactive=False, verbosity=0)

    started = datetime.datetime.now()
    pages, users, admin = targets()
    wanted = [w.strip().lower() for w in args.only.split(",")]
    pages = [p for p in pages if any(w in p.name.lower() for w in wanted)]
    results: list[Result] = []
    for label, user in users:
        # SERVER_NAME must be in ALLOWED_HOSTS; the test environment (which would add
        # "testserver" but also instrument template rendering) is deliberately not set up.
        client = Client(SERVER_NAME="localhost", raise_request_exception=not args.statement_timeout)
        client.force_login(user)
        if args.profile:
            for page in [p for p in pages if not p.users or label in p.users]:
                print(profile(client, page, label, args.n), file=sys.stderr)
            continue
        mine = [p for p in pages if not p.users or label in p.users]
        timed = measure(client, [p for p in mine if p.kind != "export"], label, args.n, args.warmup)
        exports = measure_exports(client, [p for p in mine if p.kind == "export"], label, args.export_n)
        for result in timed + exports:
            results.append(result)
            print(
                f"{result.page.name:<42} {label:<18} {result.status} median {result.median:7.1f} ms  "
                f"p95 {result.p95:7.1f} ms  {result.queries:3} queries",
                file=sys.stderr,
            )
    if args.profile:
        return 0
    table = render(results, args.n, args.warmup, admin, started, args.export_n)
    print(table)
    if not args.only:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(table)
        print(f"Written to {out}", file=sys.stderr)
    if args.explain:
        for result in results:
            print(explain(result, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())

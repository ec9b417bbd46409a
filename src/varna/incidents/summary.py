"""Damage figures added up ahead: what the damage-cost statistics, the risk financing and the
incident list's total read instead of a GROUP BY over every incident.

A million incidents over ten years (shared/DESIGN.md, "storkommun") cannot be grouped within a
dashboard's budget; a table of their sums per unit and year can. `IncidentSummary` holds, per
group, the incident's own unit, year (local time) and classified or not, four grains:

* ``year``: the year's total;
* ``category``: per category;
* ``month``: per month;
* ``place``: per place (incidents without a place are not in this grain).

Each row has the count and the sums the figures need: damage cost, paid by the insurer, what
the municipality retained on insured and on uninsured damage (the cost less what the insurer
paid, per incident, never below 0), and the graffiti-and-vandalism and fire series of the
statistics (fires deliberately set and detected by an alarm). Rows are keyed by the incident's
own unit, so a user's scope is applied as for incidents (the unit's path, classified rows only
under a classified scope: `IncidentSummaryQuerySet.restrict`) and reorganising units changes
nothing here. The rows read are bounded by units × years, not by the number of incidents.

How it is kept true, in the transaction that changes the incident:

* `Incident.save()` and `delete()` (a report, the investigation form, the admin, a test):
  signal handlers subtract what the incident added before and add what it adds now
  (`connect`, called by the app config);
* writes that bypass them: `services.update_costs` (a queryset update) uses `tracking`; a bulk
  import calls `add_created` with the ids of the incidents it created; the demo loaders
  `rebuild`.

Changes are additive upserts (``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``), so
two reports in the same unit and month at once both count. ``manage.py rebuild_incident_summary``
recomputes everything from the incidents, and with ``--check`` reports rows that differ.
"""

import contextlib
from collections import defaultdict
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest
from django.utils import timezone

from varna.core.models import Classification
from varna.core.permissions import get_access, scope_q
from varna.organisation.models import MunicipalGroup, OrgUnit

VANDALISM = ("graffiti", "vandalism")  # the statistics' "graffiti and vandalism" series
FIRE = "fire"
# What an incident contributes to (from the incident's stored state).
STATE_FIELDS = (
    "group_id",
    "unit_id",
    "occurred_at",
    "category",
    "classification",
    "place",
    "cost",
    "insurer_paid",
    "insurance_policy_id",
    "fire_deliberate",
    "fire_alarm_detected",
)
VALUES = (
    "n",
    "cost",
    "insurer_paid",
    "retained_insured",
    "retained_uninsured",
    "vandalism_n",
    "vandalism_cost",
    "vandalism_paid",
    "fires_n",
    "fires_cost",
    "fires_deliberate",
    "fires_alarm",
)
KEY = ("group_id", "grain", "year", "unit_id", "month", "category", "place", "classified")


def _amount(**kwargs):
    return models.DecimalField(max_digits=18, decimal_places=0, default=0, **kwargs)


class Grain(models.TextChoices):
    YEAR = "year"
    CATEGORY = "category"
    MONTH = "month"
    PLACE = "place"


class IncidentSummaryQuerySet(models.QuerySet):
    def restrict(self, user):
        """The rows of the incidents `Incident.objects.restrict(user)` shows: units in the user's
        view scopes, classified incidents only under a classified scope."""
        condition = scope_q(get_access(user), "unit__path", "view", classified=Q(classified=True))
        return self if condition is None else self.filter(condition)


class IncidentSummary(models.Model):
    Grain = Grain

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=8, choices=Grain.choices)
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(default=0)  # 1-12 in the month grain, else 0
    category = models.CharField(max_length=20, blank=True)  # in the category grain, else ""
    place = models.CharField(max_length=300, blank=True)  # in the place grain, else ""
    classified = models.BooleanField(default=False)
    n = models.IntegerField(default=0)
    cost = _amount()
    insurer_paid = _amount()
    retained_insured = _amount()  # Σ max(cost - insurer_paid, 0) of incidents claimed under a policy
    retained_uninsured = _amount()  # the same of the others
    vandalism_n = models.IntegerField(default=0)  # graffiti and vandalism
    vandalism_cost = _amount()
    vandalism_paid = _amount()
    fires_n = models.IntegerField(default=0)
    fires_cost = _amount()
    fires_deliberate = models.IntegerField(default=0)
    fires_alarm = models.IntegerField(default=0)

    objects = IncidentSummaryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "grain", "year", "unit", "month", "category", "place", "classified"],
                name="one_incident_summary_row",
            )
        ]
        indexes = [models.Index(fields=["group", "grain", "category", "year"], name="incident_summary_category")]

    def __str__(self):
        return f"{self.grain} {self.year} {self.unit_id} {self.month or ''}{self.category}{self.place}"


# --- What an incident contributes ------------------------------------------------------------


def _contributions(state: dict) -> dict[tuple, tuple]:
    """The summary rows one incident adds to, with what it adds (in the order of VALUES)."""
    local = timezone.localtime(state["occurred_at"])
    cost, paid = Decimal(state["cost"] or 0), Decimal(state["insurer_paid"] or 0)
    retained = max(cost - paid, Decimal(0))
    insured = state["insurance_policy_id"] is not None
    category = state["category"]
    vandalism, fire = category in VANDALISM, category == FIRE
    values = (
        1,
        cost,
        paid,
        retained if insured else Decimal(0),
        Decimal(0) if insured else retained,
        int(vandalism),
        cost if vandalism else Decimal(0),
        paid if vandalism else Decimal(0),
        int(fire),
        cost if fire else Decimal(0),
        int(fire and state["fire_deliberate"] is True),
        int(fire and state["fire_alarm_detected"] is True),
    )
    base = (state["group_id"], local.year, state["unit_id"])
    classified = state["classification"] == Classification.CLASSIFIED
    keys = [
        (Grain.YEAR, 0, "", ""),
        (Grain.CATEGORY, 0, category, ""),
        (Grain.MONTH, local.month, "", ""),
    ]
    if state["place"]:
        keys.append((Grain.PLACE, 0, "", state["place"]))
    return {
        (base[0], str(grain), base[1], base[2], month, cat, place, classified): values
        for grain, month, cat, place in keys
    }


def _deltas(before: list[dict], after: list[dict]) -> dict[tuple, list]:
    deltas: dict[tuple, list] = defaultdict(lambda: [0] * len(VALUES))
    for states, sign in ((before, -1), (after, 1)):
        for state in states:
            for key, values in _contributions(state).items():
                row = deltas[key]
                for i, value in enumerate(values):
                    row[i] += sign * value
    return {key: row for key, row in deltas.items() if any(row)}


def _state(incident) -> dict:
    return {name: getattr(incident, name) for name in STATE_FIELDS}


def _apply(deltas: dict[tuple, list]) -> None:
    """Add the deltas to the summary, creating rows as needed (an upsert per batch of rows)."""
    if not deltas:
        return
    table = connection.ops.quote_name(IncidentSummary._meta.db_table)
    columns = [*KEY, *VALUES]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in VALUES)
    items = list(deltas.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            batch = items[start : start + 500]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            params = [v for key, values in batch for v in (*key, *values)]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "  # noqa: S608 (names from the model)
                f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}",
                params,
            )


def add(incidents) -> None:
    """Count incidents just created without save() (a few, in memory)."""
    _apply(_deltas([], [_state(i) for i in incidents]))


def add_created(group, ids: list[int]) -> None:
    """Count the incidents a bulk insert (an import) just created, by their ids: on PostgreSQL
    grouped in the database, one upsert per grain for all of them (a hundred thousand in a few
    seconds); elsewhere read and added as `add` does."""
    from .models import Incident

    if not ids:
        return
    if connection.vendor != "postgresql":
        for start in range(0, len(ids), 1000):
            states = Incident.objects.filter(pk__in=ids[start : start + 1000]).values(*STATE_FIELDS)
            _apply(_deltas([], list(states)))
        return
    table = connection.ops.quote_name(IncidentSummary._meta.db_table)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in VALUES)
    for queryset in _live_queries(group.pk):
        queryset = queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(ids)]))
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        columns = [_column(alias) for _expr, _sql, alias in compiler.select]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) {sql} "
                f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}",
                params,
            )


@contextlib.contextmanager
def tracking(incidents):
    """Around a write that bypasses save() (a queryset update): what the incidents (a queryset
    or a list of ids) contributed before is replaced by what they contribute after."""
    from .models import Incident

    ids = list(incidents) if isinstance(incidents, list | tuple | set) else list(incidents.values_list("pk", flat=True))
    before = list(Incident.objects.filter(pk__in=ids).values(*STATE_FIELDS))
    yield
    after = list(Incident.objects.filter(pk__in=ids).values(*STATE_FIELDS))
    _apply(_deltas(before, after))


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    instance._summary_before = (
        list(sender.objects.filter(pk=instance.pk).values(*STATE_FIELDS)) if instance.pk is not None else []
    )


def _after_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = getattr(instance, "_summary_before", [])
    if update_fields is not None:
        # Only some fields were written: the others in the database may differ from the instance.
        after = list(sender.objects.filter(pk=instance.pk).values(*STATE_FIELDS))
    else:
        after = [_state(instance)]
    _apply(_deltas(before, after))
    instance._summary_before = []


def _after_delete(sender, instance, **kwargs):
    _apply(_deltas([_state(instance)], []))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    from .models import Incident

    pre_save.connect(_before_save, sender=Incident, dispatch_uid="incident_summary_before_save")
    post_save.connect(_after_save, sender=Incident, dispatch_uid="incident_summary_after_save")
    post_delete.connect(_after_delete, sender=Incident, dispatch_uid="incident_summary_after_delete")


# --- Rebuilding and checking -----------------------------------------------------------------


def _live_queries(group_id: int, incident_model=None):
    """The summary's rows computed from the incidents: one GROUP BY per grain, with the columns
    named as the table's (after `_column`)."""
    if incident_model is None:
        from .models import Incident as incident_model

    tz = timezone.get_current_timezone()
    zero = Value(0, output_field=DecimalField(max_digits=18, decimal_places=0))
    retained = Greatest(F("cost") - F("insurer_paid"), zero)
    vandalism, fire = Q(category__in=VANDALISM), Q(category=FIRE)
    dims = {
        Grain.YEAR: {"month": Value(0), "category": Value(""), "place": Value("")},
        Grain.CATEGORY: {"month": Value(0), "category": F("category"), "place": Value("")},
        Grain.MONTH: {"month": ExtractMonth("occurred_at", tzinfo=tz), "category": Value(""), "place": Value("")},
        Grain.PLACE: {"month": Value(0), "category": Value(""), "place": F("place")},
    }
    for grain, extra in dims.items():
        incidents = incident_model.objects.filter(group_id=group_id)
        if grain == Grain.PLACE:
            incidents = incidents.exclude(place="")
        yield (
            incidents.values(
                s_group_id=F("group_id"),
                grain=Value(str(grain)),
                year=ExtractYear("occurred_at", tzinfo=tz),
                s_unit_id=F("unit_id"),
                **{"s_" + k: v for k, v in extra.items()},
                classified=Case(
                    When(classification=Classification.CLASSIFIED, then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                ),
            )
            .annotate(
                n=Count("pk"),
                s_cost=Sum("cost", default=0),
                s_insurer_paid=Sum("insurer_paid", default=0),
                retained_insured=Coalesce(Sum(retained, filter=Q(insurance_policy__isnull=False)), zero),
                retained_uninsured=Coalesce(Sum(retained, filter=Q(insurance_policy__isnull=True)), zero),
                vandalism_n=Count("pk", filter=vandalism),
                vandalism_cost=Coalesce(Sum("cost", filter=vandalism), zero),
                vandalism_paid=Coalesce(Sum("insurer_paid", filter=vandalism), zero),
                fires_n=Count("pk", filter=fire),
                fires_cost=Coalesce(Sum("cost", filter=fire), zero),
                fires_deliberate=Count("pk", filter=fire & Q(fire_deliberate=True)),
                fires_alarm=Count("pk", filter=fire & Q(fire_alarm_detected=True)),
            )
            .order_by()
        )


def _column(alias: str) -> str:
    # Annotations may not take the name of a field of the model they group (unit_id, cost, ...).
    return alias[2:] if alias.startswith("s_") else alias


@transaction.atomic
def rebuild(group=None, *, model_pair=None) -> int:
    """Recompute the summary of a group (of every group without one) from its incidents; returns
    the number of rows written: one INSERT ... SELECT per grain. `model_pair` (Incident,
    IncidentSummary) lets a migration pass its historical models."""
    if model_pair is None:
        from .models import Incident

        model_pair = (Incident, IncidentSummary)
    incident_model, summary_model = model_pair
    if group is not None:
        group_ids = [group.pk]
        summary_model.objects.filter(group_id=group.pk).delete()
    else:
        group_ids = list(incident_model.objects.order_by().values_list("group_id", flat=True).distinct())
        summary_model.objects.all().delete()
    table = connection.ops.quote_name(summary_model._meta.db_table)
    written = 0
    for group_id in group_ids:
        for queryset in _live_queries(group_id, incident_model):
            # Written in the order of year and unit: a year's rows are read from few pages (as
            # when they are added over the year).
            queryset = queryset.order_by("year", "s_unit_id")
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            columns = [_column(alias) for _expr, _sql, alias in compiler.select]
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
                written += cursor.rowcount
    return written


def differences(group) -> list[tuple]:
    """Rows where the summary and the incidents disagree: (key, summary values, live values)."""
    stored = {
        tuple(row[k] for k in KEY): tuple(row[v] for v in VALUES)
        for row in IncidentSummary.objects.filter(group=group).values(*KEY, *VALUES)
    }
    live = {}
    for queryset in _live_queries(group.pk):
        for row in queryset:
            row = {_column(k): v for k, v in row.items()}
            live[tuple(row[k] for k in KEY)] = tuple(row[v] for v in VALUES)
    zero = tuple(0 for _ in VALUES)
    return [
        (key, stored.get(key, zero), live.get(key, zero))
        for key in stored.keys() | live.keys()
        if tuple(stored.get(key, zero)) != tuple(live.get(key, zero))
    ]


# --- Reading: the figures of statistics.py and insurance/financing.py ------------------------


def tallies(group, user=None):
    """The group's summary rows, narrowed to what `user` may see (all of them without a user)."""
    rows = IncidentSummary.objects.filter(group=group)
    return rows.restrict(user) if user is not None else rows


def _sums(*names):
    return {name: Sum(name) for name in names}


def per_year(rows, first: int, last: int) -> dict[int, dict]:
    """Every sum per year, first to last: {year: {n, cost, insurer_paid, ...}} (years with
    incidents only)."""
    found = (
        rows.filter(grain=Grain.YEAR, year__gte=first, year__lte=last)
        .values("year")
        .annotate(**_sums(*VALUES))
        .order_by()
    )
    return {r["year"]: r for r in found}


def per_month(rows, year: int) -> dict[int, dict]:
    found = (
        rows.filter(grain=Grain.MONTH, year=year)
        .values("month")
        .annotate(**_sums("n", "cost", "insurer_paid"))
        .order_by()
    )
    return {r["month"]: r for r in found if r["n"]}


def breakdown(rows, year: int, by: str, limit: int | None = None) -> list[dict]:
    """The year's sums per unit (own incidents) or per category: {by, n, cost, insurer_paid,
    deductibles, uninsured}, the largest damage cost first (then the most incidents); the first
    `limit` of them."""
    grain = Grain.CATEGORY if by == "category" else Grain.YEAR
    found = (
        rows.filter(grain=grain, year=year)
        .values(by)
        .annotate(
            total_n=Sum("n"),
            total_cost=Sum("cost"),
            total_paid=Sum("insurer_paid"),
            deductibles=Sum("retained_insured"),
            uninsured=Sum("retained_uninsured"),
        )
        .filter(total_n__gt=0)
        .order_by("-total_cost", "-total_n", by)
    )
    if limit is not None:
        found = found[:limit]
    return [
        {
            by: r[by],
            "n": r["total_n"],
            "cost": r["total_cost"],
            "insurer_paid": r["total_paid"],
            "deductibles": r["deductibles"],
            "uninsured": r["uninsured"],
        }
        for r in found
    ]


def top_places(rows, year: int, limit: int) -> list[dict]:
    """The year's places with the most incidents (then the largest cost)."""
    found = (
        rows.filter(grain=Grain.PLACE, year=year)
        .values("place")
        .annotate(total_n=Sum("n"), total_cost=Sum("cost"), total_paid=Sum("insurer_paid"))
        .filter(total_n__gt=0)
        .order_by("-total_n", "-total_cost", "place")[:limit]
    )
    return [
        {"place": r["place"], "n": r["total_n"], "cost": r["total_cost"], "insurer_paid": r["total_paid"]}
        for r in found
    ]


def count(rows, *, year=None, month=None, category=None) -> int | None:
    """How many incidents the rows hold, by year, month of that year or category; None where the
    summary cannot tell (a month and a category together)."""
    if month is not None and category:
        return None
    if month is not None:
        rows = rows.filter(grain=Grain.MONTH, year=year, month=month)
    elif category:
        rows = rows.filter(grain=Grain.CATEGORY, category=category)
    else:
        rows = rows.filter(grain=Grain.YEAR)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.aggregate(n=Coalesce(Sum("n"), 0))["n"]

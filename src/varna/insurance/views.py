"""Insurance policies, risk financing and the yearly review of the insurance needs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404
from varna.core.forms import STALE_MESSAGE
from varna.core.history import history_entries
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView, create_view
from varna.core.views import scoped_group as _group
from varna.incidents import summary
from varna.incidents.models import Category, Incident
from varna.organisation.models import OrgUnit

from . import financing, services
from .forms import CoverForm, PolicyForm, ReviewForm
from .models import Cover, InsurancePolicy, InsuranceReview

YEARS = 10


@login_required
def policy_list(request):
    group = _group(request)
    show_all = request.GET.get("alla") == "1"
    policies = InsurancePolicy.objects.restrict(request.user).filter(group=group)
    if not show_all:
        policies = policies.in_force()
    policies = policies.select_related("unit").prefetch_related(
        Prefetch("covers", queryset=Cover.objects.order_by("kind"))
    )
    policies = list(policies.annotate(claim_count=Count("claims")).order_by("name", "pk"))
    return render(
        request,
        "insurance/list.html",
        {
            "policies": policies,
            "show_all": show_all,
            "premiums": sum(p.premium for p in policies if p.in_force),
            "reviews": InsuranceReview.objects.restrict(request.user).filter(group=group).select_related("body")[:5],
            "can_create": bool(get_access(request.user).scopes("change")),
        },
    )


@login_required
def policy_create(request):
    return create_view(request, PolicyForm, title=_("New insurance policy"), message=_("The policy was registered."))


class PolicyUpdateView(VersionedUpdateView):
    model = InsurancePolicy
    form_class = PolicyForm


def _policy(request, pk, action="view"):
    return get_logged_or_404(
        request, InsurancePolicy.objects.restrict(request.user, action).select_related("unit", "group"), pk=pk
    )


@login_required
def policy_detail(request, pk):
    policy = _policy(request, pk)
    can_change = get_access(request.user).can("change", policy.unit)
    claims = (
        Incident.objects.restrict(request.user)
        .filter(insurance_policy=policy)
        .select_related("unit")
        .order_by("-occurred_at")[:50]
    )
    return render(
        request,
        "insurance/detail.html",
        {
            "policy": policy,
            "covers": policy.covers.all(),
            "insured_units": policy.insured_units.order_by("path"),
            "claims": claims,
            "can_change": can_change,
            "cover_form": CoverForm(prefix="cover") if can_change else None,
            "history": history_entries(policy, request.user),
        },
    )


@login_required
@require_POST
def cover_add(request, pk):
    policy = _policy(request, pk, "change")
    form = CoverForm(request.POST, prefix="cover")
    if form.is_valid():
        cover = form.save(commit=False)
        cover.policy = policy
        cover.save()
        messages.success(request, _("The cover was added."))
    else:
        for error in [*form.non_field_errors(), *(e for f in form for e in f.errors)]:
            messages.error(request, error)
    return redirect(f"{policy.get_absolute_url()}#covers-heading")


@login_required
@require_POST
def cover_remove(request, pk):
    cover = get_object_or_404(
        Cover.objects.filter(policy__in=InsurancePolicy.objects.restrict(request.user, "change").values("pk")), pk=pk
    )
    policy = cover.policy
    cover.delete()
    messages.success(request, _("The cover was removed."))
    return redirect(f"{policy.get_absolute_url()}#covers-heading")


@login_required
def risk_financing(request):
    group = _group(request)
    today = timezone.localdate()
    year = int_param(request, "ar", today.year - 1)
    if not 1900 < year < 3000:
        year = today.year - 1
    # The damage figures added up ahead, of the incidents the user may see (incidents/summary.py).
    tallies = summary.tallies(group, request.user)
    policies = InsurancePolicy.objects.filter(group=group)
    years = financing.years(group, year - YEARS + 1, year, policies=policies, tallies=tallies)
    while len(years) > 1 and not years[0].n and not years[0].premiums:
        years.pop(0)  # the years before anything was recorded say nothing
    units = financing.summary_breakdown(tallies, year, "unit", limit=15)
    names = dict(OrgUnit.objects.filter(pk__in=[u["unit"] for u in units]).values_list("pk", "name"))
    for row in units:
        row["name"] = names.get(row["unit"], "–")
    categories = financing.summary_breakdown(tallies, year, "category")
    labels = dict(Category.choices)
    for row in categories:
        row["name"] = labels.get(row["category"], row["category"])
    return render(
        request,
        "insurance/financing.html",
        {
            "year": year,
            "year_choices": range(today.year, today.year - YEARS - 5, -1),
            "years": years,
            "chosen": next((y for y in years if y.year == year), None),
            "units": units,
            "categories": categories,
        },
    )


@login_required
def review_detail(request, pk):
    review = get_object_or_404(
        InsuranceReview.objects.restrict(request.user).select_related("group", "body", "unit"), pk=pk
    )
    can_complete = get_access(request.user).can("change", review.unit) and review.status == InsuranceReview.State.OPEN
    form = None
    if can_complete:
        form = ReviewForm(request.POST or None, instance=review, initial={"reviewed_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            form.save(commit=False)
            try:
                services.complete_review(review, user=request.user, expected_version=form.cleaned_data["version"])
            except StaleEditError:
                form.add_error(None, STALE_MESSAGE)
            else:
                messages.success(request, _("The review is recorded."))
                return redirect(review)
    elif request.method == "POST":
        raise PermissionDenied
    live = services.figures(review.group, review.year) if review.status == InsuranceReview.State.OPEN else None
    return render(
        request,
        "insurance/review.html",
        {
            "review": review,
            "form": form,
            "figures": (live or review.figures).get("years", []),
            "history": history_entries(review, request.user),
        },
    )

"""Vital societal functions, their critical dependencies and capability assessments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404
from varna.core.history import history_entries
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView, create_view

from . import services
from .forms import CapabilityForm, DependencyForm, VitalFunctionForm
from .models import CapabilityAssessment, Dependency, Risk, VitalFunction, matrix_for
from .views import _group, _with_group


@login_required
def function_list(request):
    group = _group(request)
    matrix = matrix_for(group)
    functions = list(
        VitalFunction.objects.restrict(request.user)
        .filter(group=group)
        .select_related("unit")
        .annotate(n_dependencies=Count("dependencies", distinct=True))
    )
    services.attach_newest_capabilities(functions, matrix)
    return render(
        request,
        "risks/functions.html",
        {
            "functions": functions,
            "can_create": bool(get_access(request.user).scopes("change")),
            "capability_scale": [(s["level"], matrix.capability_name(s["level"])) for s in matrix.capability],
        },
    )


def _function(request, pk, action="view"):
    return get_logged_or_404(
        request, VitalFunction.objects.restrict(request.user, action).select_related("group", "unit"), pk=pk
    )


@login_required
def function_detail(request, pk):
    function = _function(request, pk)
    matrix = matrix_for(function.group)
    access = get_access(request.user)
    visible = VitalFunction.objects.restrict(request.user)
    dependencies = list(function.dependencies.select_related("depends_on__unit").order_by("kind", "name"))
    for dependency in dependencies:
        # A dependency on a function the reader may not see is shown by its kind only, and its
        # name is said nowhere on the page (not even to a screen reader): templates use
        # `shown_label`, never `label`, which names the function.
        target = dependency.depends_on
        dependency.visible_target = target if target is not None and access.may_read(target) else None
        if dependency.visible_target is not None:
            dependency.shown_label = target.name
        elif dependency.depends_on_id:
            dependency.shown_label = _("A vital function you may not see")
        else:
            dependency.shown_label = dependency.label
    capabilities = list(function.capability_assessments.select_related("assessed_by")[:30])
    for a in capabilities:
        a.level_name = matrix.capability_name(a.level)
    can_change = access.can("change", function.unit)
    return render(
        request,
        "risks/function_detail.html",
        {
            "function": function,
            "dependencies": dependencies,
            "dependents": list(visible.filter(dependencies__depends_on=function).distinct().select_related("unit")),
            "capabilities": capabilities,
            "risks": _with_group(
                Risk.objects.restrict(request.user)
                .filter(vital_functions=function)
                .select_related("unit")
                .priority_order()[:50],
                function.group,
            ),
            "history": history_entries(function, request.user),
            "can_change": can_change,
            "dependency_form": DependencyForm(function=function, user=request.user) if can_change else None,
            "capability_form": CapabilityForm(matrix=matrix) if can_change else None,
        },
    )


@login_required
def function_create(request):
    return create_view(
        request,
        VitalFunctionForm,
        title=_("New vital societal function"),
        message=_("The vital function was registered. Add its critical dependencies next."),
    )


class VitalFunctionUpdateView(VersionedUpdateView):
    model = VitalFunction
    form_class = VitalFunctionForm


@login_required
@require_POST
def dependency_add(request, pk):
    function = _function(request, pk, "change")
    form = DependencyForm(request.POST, function=function, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("The dependency was added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(function)


@login_required
@require_POST
def dependency_remove(request, pk):
    dependency = get_object_or_404(Dependency.objects.select_related("function"), pk=pk)
    function = _function(request, dependency.function_id, "change")
    dependency.delete()
    messages.success(request, _("The dependency was removed."))
    return redirect(function)


@login_required
@require_POST
def capability_add(request, pk):
    function = _function(request, pk, "change")
    form = CapabilityForm(request.POST, matrix=matrix_for(function.group))
    if form.is_valid():
        CapabilityAssessment.objects.create(function=function, assessed_by=request.user, **form.cleaned_data)
        messages.success(request, _("The capability assessment was saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(function)


@login_required
def dependency_graph(request):
    """Which vital functions depend on what: an SVG drawing with the same facts as a table."""
    group = _group(request)
    functions = list(
        VitalFunction.objects.restrict(request.user)
        .filter(group=group)
        .prefetch_related(Prefetch("dependencies", queryset=Dependency.objects.select_related("depends_on")))
        .order_by("name")
    )
    visible_ids = {f.pk for f in functions}
    resources: dict[tuple, dict] = {}
    edges = []
    for function in functions:
        for dependency in function.dependencies.all():
            if dependency.depends_on_id:
                continue  # between two functions: drawn as a curve by _layout
            key = (dependency.kind, dependency.name.strip().lower() or dependency.kind)
            resources.setdefault(key, {"label": dependency.label, "kind": dependency.get_kind_display(), "users": []})
            resources[key]["users"].append(function)
            edges.append((function.pk, key, dependency))
    layout = _layout(functions, resources, edges)
    return render(
        request,
        "risks/dependency_graph.html",
        {
            "functions": functions,
            "layout": layout,
            "visible_ids": visible_ids,
        },
    )


ROW = 34
WIDTH = 800


def _layout(functions, resources, edges) -> dict:
    """Functions in the left column, resources in the right; a line for each dependency, and a
    curve on the left for a function that depends on another function."""
    f_y = {f.pk: 30 + i * ROW for i, f in enumerate(functions)}
    ordered = sorted(resources, key=lambda k: (resources[k]["kind"], resources[k]["label"]))
    r_y = {k: 30 + i * ROW for i, k in enumerate(ordered)}
    lines = [
        {"x1": 280, "y1": f_y[fid], "x2": 500, "y2": r_y[key], "missing_reserve": dep.lacks_reserve}
        for fid, key, dep in edges
    ]
    curves = []
    for function in functions:
        for dependency in function.dependencies.all():
            if dependency.depends_on_id in f_y:
                y1, y2 = f_y[function.pk], f_y[dependency.depends_on_id]
                bend = min(36, 12 + abs(y2 - y1) // 6)
                curves.append({"d": f"M 40 {y1} C {40 - bend} {y1}, {40 - bend} {y2}, 40 {y2}"})
    height = 40 + ROW * max(len(functions), len(resources), 1)
    return {
        "height": height,
        "width": WIDTH,
        "functions": [{"f": f, "y": f_y[f.pk]} for f in functions],
        "resources": [{"r": resources[k], "y": r_y[k]} for k in ordered],
        "lines": lines,
        "curves": curves,
    }

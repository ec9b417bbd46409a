"""The risk area's parts of a profile: what obligation checks may refer to in the risk matrix,
and the checks of the demo's vital functions and analyses (declared in area.py)."""

from django.utils.translation import gettext as _

from .scoring import DEFAULT_MATRIX


def matrix_references() -> dict:
    """The zones and dimensions of the profile's risk matrix (or the default one), which the
    parameters of obligation checks may name."""
    return {
        section: (lambda data, section=section: (data.get("risk_matrix") or DEFAULT_MATRIX)[section])
        for section in ("zones", "dimensions")
    }


def check_demo_analyses(data, ctx, ref, known) -> None:
    """The demo's vital functions and analyses (with their risks and measures) refer to the
    demo's units, people and documents and fit the risk matrix (a profile check, area.py)."""
    demo = data.get("demo") or {}
    codes, names, doc_keys = known["units"], known["people"], known["documents"]
    matrix = data.get("risk_matrix") or DEFAULT_MATRIX
    dimensions = {d.get("key") for d in matrix.get("dimensions") or []}
    n_like, n_cons = len(matrix.get("likelihood") or []), len(matrix.get("consequence") or [])

    def check_scores(item, path):
        if item.get("likelihood") and item["likelihood"] > n_like:
            ctx.error(item.line_of("likelihood"), f"{path}.likelihood", _("must be 1–%(n)s") % {"n": n_like})
        for key, value in (item.get("consequences") or {}).items():
            if key not in dimensions:
                ctx.error(
                    item.line_of("consequences"),
                    f"{path}.consequences.{key}",
                    _("'%(value)s' is not declared (known: %(known)s)")
                    % {"value": key, "known": ", ".join(sorted(dimensions))},
                )
            elif value and value > n_cons:
                ctx.error(
                    item.line_of("consequences"), f"{path}.consequences.{key}", _("must be 1–%(n)s") % {"n": n_cons}
                )
        if bool(item.get("likelihood")) != bool(item.get("consequences")):
            ctx.error(item.line, path, _("give both likelihood and consequences, or neither"))

    function_names = {f.get("name") for f in demo.get("vital_functions") or []}
    n_capability = len(matrix.get("capability") or []) or len(DEFAULT_MATRIX["capability"])
    for i, function in enumerate(demo.get("vital_functions") or []):
        path = f"demo.vital_functions[{i}]"
        ref(function, "unit", codes, path)
        for j, dependency in enumerate(function.get("dependencies") or []):
            dpath = f"{path}.dependencies[{j}]"
            if dependency.get("kind") == "function":
                if not dependency.get("function"):
                    ctx.error(dependency.line, f"{dpath}.function", _("is required when the kind is 'function'"))
                ref(dependency, "function", function_names - {function.get("name")}, dpath)
            elif not dependency.get("name"):
                ctx.error(dependency.line, f"{dpath}.name", _("is required"))
        for j, capability in enumerate(function.get("capability") or []):
            if capability.get("level") and capability["level"] > n_capability:
                ctx.error(
                    capability.line_of("level"),
                    f"{path}.capability[{j}].level",
                    _("must be 1–%(n)s") % {"n": n_capability},
                )
    for i, analysis in enumerate(demo.get("analyses") or []):
        path = f"demo.analyses[{i}]"
        ref(analysis, "unit", codes, path)
        if analysis.get("kind") == "rva" and not analysis.get("mandate_period"):
            ctx.error(analysis.line, f"{path}.mandate_period", _("is required for an RSA"))
        for j, risk in enumerate(analysis.get("risks") or []):
            rpath = f"{path}.risks[{j}]"
            ref(risk, "unit", codes, rpath)
            ref(risk, "owner", names, rpath)
            for name in risk.get("vital_functions") or []:
                if name not in function_names:
                    ctx.error(
                        risk.line_of("vital_functions"),
                        f"{rpath}.vital_functions",
                        _("'%(value)s' is not declared") % {"value": name},
                    )
            check_scores(risk, rpath)
            if risk.get("residual"):
                check_scores(risk["residual"], f"{rpath}.residual")
            for k, measure in enumerate(risk.get("measures") or []):
                mpath = f"{rpath}.measures[{k}]"
                ref(measure, "unit", codes, mpath)
                ref(measure, "owner", names, mpath)
                ref(measure, "document", doc_keys, mpath)
                if measure.get("openness") == "restricts" and not measure.get("openness_note"):
                    ctx.error(
                        measure.line, f"{mpath}.openness_note", _("is required when a measure restricts openness")
                    )

"""The risk area's parts of a profile, declared in area.py: the risk matrix (`risk_matrix`), the
demo's vital functions and analyses (`demo.vital_functions`, `demo.analyses`), what obligation
checks may refer to in the matrix, and the checks of all of them against the rest of the
profile."""

from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation.profiles import KEY
from varna.organisation.schema import I18N, F, Int, List, Map, Str

from .models import Analysis, Dependency, Measure, Risk
from .scoring import DEFAULT_MATRIX


def _scale(min_items: int = 0, description: bool = False) -> F:
    level = {"level": F(Int(1, 10)), "name": F(I18N)}
    if description:
        level["description"] = F(I18N, required=False)
    return F(List(Map(level), min_items=min_items))


RISK_MATRIX = F(
    Map(
        {
            "likelihood": _scale(min_items=3, description=True),
            "consequence": _scale(min_items=3, description=True),
            "dimensions": F(List(Map({"key": F(Str(pattern=KEY)), "name": F(I18N)}), min_items=1)),
            "zones": F(
                List(
                    Map(
                        {
                            "key": F(Str(pattern=KEY)),
                            "name": F(I18N),
                            "colour": F(Str(pattern=r"#[0-9a-fA-F]{6}")),
                            "review_months": F(Int(1, 60)),
                        }
                    ),
                    min_items=2,
                )
            ),
            "grid": F(List(List(Str(pattern=KEY)))),
            "capability": F(List(Map({"level": F(Int(1, 10)), "name": F(I18N)})), required=False, default=[]),
            "life_dimension": F(Str(pattern=KEY), required=False),
            "life_flag_from": F(Int(1, 10), required=False),
            "acceptance_role": F(Str(pattern=KEY), required=False),
        }
    ),
    required=False,
)

_CLASSIFICATIONS = tuple(Classification.values)
_CLASSIFICATION = F(Str(choices=_CLASSIFICATIONS), required=False, default=Classification.INTERNAL.value)
_MEASURE = Map(
    {
        "title": F(Str()),
        "unit": F(Str()),
        "owner": F(Str(), required=False),
        "due_in_days": F(Int(-3650, 3650), required=False),
        "status": F(Str(choices=tuple(Measure.State.values)), required=False, default=Measure.State.PLANNED.value),
        "cost": F(Int(0, 10**11), required=False),
        "document": F(Str(pattern=KEY), required=False),
        # Not assessed ("") is what leaving it out means.
        "openness": F(Str(choices=tuple(v for v in Measure.Openness.values if v)), required=False, default=""),
        "openness_note": F(Str(), required=False, default=""),
        "description": F(Str(), required=False, default=""),
        "classification": _CLASSIFICATION,
        "classification_ground": F(Str(), required=False, default=""),
    }
)
_RISK = Map(
    {
        "title": F(Str()),
        "kind": F(Str(choices=tuple(Risk.Kind.values)), required=False, default=Risk.Kind.HAZARD.value),
        "category": F(Str(), required=False, default=""),
        "unit": F(Str()),
        "owner": F(Str(), required=False),
        "description": F(Str(), required=False, default=""),
        "cause": F(Str(), required=False, default=""),
        "likelihood": F(Int(1, 10), required=False),
        "consequences": F(Map(extra=Int(1, 10)), required=False),
        "assessed_months_ago": F(Int(0, 120), required=False, default=0),
        "residual": F(Map({"likelihood": F(Int(1, 10)), "consequences": F(Map(extra=Int(1, 10)))}), required=False),
        "classification": _CLASSIFICATION,
        "classification_ground": F(Str(), required=False, default=""),
        "vital_functions": F(List(Str()), required=False, default=[]),
        "measures": F(List(_MEASURE), required=False, default=[]),
    }
)
VITAL_FUNCTIONS = F(
    List(
        Map(
            {
                "name": F(Str()),
                "unit": F(Str()),
                "description": F(Str(), required=False, default=""),
                "acceptable_level": F(Str(), required=False, default=""),
                "max_outage_hours": F(Int(0, 100000), required=False),
                "classification": _CLASSIFICATION,
                "classification_ground": F(Str(), required=False, default=""),
                "dependencies": F(
                    List(
                        Map(
                            {
                                "kind": F(Str(choices=tuple(Dependency.Kind.values))),
                                "name": F(Str(), required=False, default=""),
                                "function": F(Str(), required=False),
                                "tolerable_outage_hours": F(Int(0, 100000), required=False),
                                "reserve": F(Str(), required=False, default=""),
                            }
                        )
                    ),
                    required=False,
                    default=[],
                ),
                "capability": F(
                    List(Map({"event_type": F(Str()), "level": F(Int(1, 10)), "reasons": F(Str())})),
                    required=False,
                    default=[],
                ),
            }
        )
    ),
    required=False,
    default=[],
)
ANALYSES = F(
    List(
        Map(
            {
                "title": F(Str()),
                "kind": F(Str(choices=tuple(Analysis.Kind.values))),
                "unit": F(Str()),
                # Demo dates are relative to the day the demo is loaded, so that the demo stays current.
                "mandate_period": F(Str(choices=("current", "previous")), required=False),
                "status": F(
                    Str(choices=tuple(Analysis.State.values)), required=False, default=Analysis.State.ONGOING.value
                ),
                "started_months_ago": F(Int(0, 120), required=False, default=0),
                "scope": F(Str(), required=False, default=""),
                "method": F(Str(), required=False, default=""),
                "participants": F(Str(), required=False, default=""),
                "classification": F(Str(choices=_CLASSIFICATIONS), required=False, default=Classification.PUBLIC.value),
                "classification_ground": F(Str(), required=False, default=""),
                "risks": F(List(_RISK), required=False, default=[]),
            }
        )
    ),
    required=False,
    default=[],
)

PROFILE_SECTIONS = {"risk_matrix": RISK_MATRIX}
DEMO_SECTIONS = {"vital_functions": VITAL_FUNCTIONS, "analyses": ANALYSES}


def matrix_references() -> dict:
    """The zones and dimensions of the profile's risk matrix (or the default one), which the
    parameters of obligation checks may name."""
    return {
        section: (lambda data, section=section: (data.get("risk_matrix") or DEFAULT_MATRIX)[section])
        for section in ("zones", "dimensions")
    }


def check_risk_matrix(data, ctx, ref, known) -> None:
    """The profile's risk matrix is complete: levels 1, 2, 3, … in order, one grid cell per
    likelihood and consequence level, each a declared zone, and its life dimension and
    acceptance role declared (a profile check, area.py)."""
    matrix = data.get("risk_matrix")
    if not matrix:
        return
    for scale in ("likelihood", "consequence", "capability"):
        levels_found = [item.get("level") for item in matrix.get(scale) or []]
        if levels_found and levels_found != list(range(1, len(levels_found) + 1)):
            ctx.error(
                matrix.line_of(scale),
                f"risk_matrix.{scale}",
                _("levels must be 1, 2, 3, … in order (found %(found)s)") % {"found": levels_found},
            )
    for section in ("zones", "dimensions"):
        keys = [item.get("key") for item in matrix.get(section) or []]
        if len(keys) != len(set(keys)):
            ctx.error(matrix.line_of(section), f"risk_matrix.{section}", _("a key is declared twice"))
    zones = {z["key"] for z in matrix.get("zones") or []}
    grid = matrix.get("grid") or []
    n_like, n_cons = len(matrix.get("likelihood") or []), len(matrix.get("consequence") or [])
    if len(grid) != n_like:
        ctx.error(
            matrix.line_of("grid"),
            "risk_matrix.grid",
            _("must have one row per likelihood level (%(rows)s), not %(found)s")
            % {"rows": n_like, "found": len(grid)},
        )
    for r, row in enumerate(grid):
        if len(row or []) != n_cons:
            ctx.error(
                getattr(row, "line", matrix.line_of("grid")),
                f"risk_matrix.grid[{r}]",
                _("must have one column per consequence level (%(cols)s), not %(found)s")
                % {"cols": n_cons, "found": len(row or [])},
            )
    for row in grid:
        for cell in row or []:
            if cell not in zones:
                ctx.error(
                    matrix.line_of("grid"), "risk_matrix.grid", _("zone '%(value)s' is not declared") % {"value": cell}
                )

    dimension_keys = {d.get("key") for d in matrix.get("dimensions") or []}
    ref(matrix, "life_dimension", dimension_keys, "risk_matrix")
    ref(matrix, "acceptance_role", known["role_types"], "risk_matrix")
    if matrix.get("life_flag_from") and matrix["life_flag_from"] > n_cons:
        ctx.error(
            matrix.line_of("life_flag_from"),
            "risk_matrix.life_flag_from",
            _("must be a consequence level (1–%(n)s)") % {"n": n_cons},
        )


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

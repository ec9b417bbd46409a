"""Scoring and the matrix on any profile scale from 3×3 to 6×6 (property tests)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varna.risks.scoring import DEFAULT_MATRIX, RiskMatrix, ScoringError, _luminance, text_colour

DIMENSIONS = ["life_health", "environment", "property", "society", "democracy"]


@st.composite
def matrices(draw):
    n_like = draw(st.integers(3, 6))
    n_cons = draw(st.integers(3, 6))
    n_zones = draw(st.integers(2, 4))
    zones = [
        {"key": f"z{i}", "name": {"sv": f"Zon {i}", "en": f"Zone {i}"}, "colour": "#336699", "review_months": 6 + i}
        for i in range(n_zones)
    ]
    grid = [[f"z{draw(st.integers(0, n_zones - 1))}" for _ in range(n_cons)] for _ in range(n_like)]
    spec = {
        "likelihood": [{"level": i + 1, "name": {"sv": str(i + 1), "en": str(i + 1)}} for i in range(n_like)],
        "consequence": [{"level": i + 1, "name": {"sv": str(i + 1), "en": str(i + 1)}} for i in range(n_cons)],
        "dimensions": [{"key": k, "name": {"sv": k, "en": k}} for k in DIMENSIONS],
        "zones": zones,
        "grid": grid,
    }
    if draw(st.booleans()):
        spec["life_flag_from"] = draw(st.integers(1, n_cons))
    return RiskMatrix(spec)


@st.composite
def matrix_and_assessment(draw):
    matrix = draw(matrices())
    n_like, n_cons = matrix.size
    likelihood = draw(st.integers(1, n_like))
    keys = draw(st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=5, unique=True))
    consequences = {k: draw(st.integers(1, n_cons)) for k in keys}
    return matrix, likelihood, consequences


@given(matrix_and_assessment())
@settings(max_examples=300)
def test_the_score_is_the_worst_dimension_on_the_grid(case):
    matrix, likelihood, consequences = case
    score = matrix.score(likelihood, consequences)
    worst = max(consequences.values())
    assert score.consequence == worst
    assert score.level == likelihood * worst
    assert score.zone.key == matrix.grid[likelihood - 1][worst - 1]
    life = consequences.get("life_health", 0)
    assert score.life_health == life
    # Personal safety weighs first (AL-1): the flag depends on life and health alone.
    assert score.flagged == (life >= matrix.life_flag_from)


@given(matrix_and_assessment())
def test_a_worse_consequence_never_lowers_the_level(case):
    matrix, likelihood, consequences = case
    _, n_cons = matrix.size
    before = matrix.score(likelihood, consequences)
    key = next(iter(consequences))
    worse = {**consequences, key: n_cons}
    assert matrix.score(likelihood, worse).level >= before.level


@given(matrices(), st.dictionaries(st.tuples(st.integers(1, 6), st.integers(1, 6)), st.integers(0, 1000)))
def test_the_matrix_rows_cover_every_cell_once_with_its_count(matrix, counts):
    n_like, n_cons = matrix.size
    counts = {k: v for k, v in counts.items() if k[0] <= n_like and k[1] <= n_cons}
    rows = matrix.rows(counts)
    assert [r["level"] for r in rows] == list(range(n_like, 0, -1))  # most likely on top, as drawn
    cells = [c for r in rows for c in r["cells"]]
    assert len(cells) == n_like * n_cons
    assert sum(c["count"] for c in cells) == sum(counts.values())
    for c in cells:
        assert c["zone"].key == matrix.grid[c["likelihood"] - 1][c["consequence"] - 1]


@given(matrices(), st.integers(-3, 10), st.integers(-3, 10))
def test_values_outside_the_scales_are_refused(matrix, likelihood, consequence):
    n_like, n_cons = matrix.size
    if 1 <= likelihood <= n_like and 1 <= consequence <= n_cons:
        matrix.score(likelihood, {"property": consequence})
    else:
        with pytest.raises(ScoringError):
            matrix.score(likelihood, {"property": consequence})


def test_unknown_dimensions_and_empty_assessments_are_refused():
    matrix = RiskMatrix(None)
    with pytest.raises(ScoringError):
        matrix.score(2, {"weather": 3})
    with pytest.raises(ScoringError):
        matrix.score(2, {})


def test_life_and_health_comes_first_among_the_dimensions():
    spec = {**DEFAULT_MATRIX, "dimensions": list(reversed(DEFAULT_MATRIX["dimensions"]))}
    assert RiskMatrix(spec).dimension_keys()[0] == "life_health"


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_zone_text_is_readable_on_any_colour(colour):
    """WCAG AA asks 4.5:1 for text; black or white always reaches it on some colour."""
    text = text_colour(colour)
    a, b = _luminance(colour), _luminance(text)
    ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
    assert ratio >= 4.5

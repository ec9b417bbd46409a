"""Risk scoring on a profile's scales.

A profile declares its likelihood and consequence scales (3 to 10 levels), the consequence
dimensions (protected values), the acceptance zones in rising order of severity and a grid that
puts every (likelihood, consequence) cell in a zone. A risk's consequence is its worst
dimension; its level is likelihood × consequence and its zone is the grid's cell. Personal
safety weighs first (AL-1): a risk whose life-and-health consequence reaches the profile's
threshold is flagged whatever its zone.
"""

from dataclasses import dataclass

from varna.core.i18n import tr

# DOMAIN.md's defaults, used when a profile declares no risk matrix of its own.
DEFAULT_MATRIX = {
    "likelihood": [
        {"level": i, "name": {"sv": sv, "en": en}}
        for i, sv, en in [
            (1, "Mycket låg", "Very low"),
            (2, "Låg", "Low"),
            (3, "Medel", "Medium"),
            (4, "Hög", "High"),
            (5, "Mycket hög", "Very high"),
        ]
    ],
    "consequence": [
        {"level": i, "name": {"sv": sv, "en": en}}
        for i, sv, en in [
            (1, "Mycket begränsad", "Very limited"),
            (2, "Begränsad", "Limited"),
            (3, "Allvarlig", "Serious"),
            (4, "Mycket allvarlig", "Very serious"),
            (5, "Katastrofal", "Catastrophic"),
        ]
    ],
    "dimensions": [
        {"key": "life_health", "name": {"sv": "Liv och hälsa", "en": "Life and health"}},
        {"key": "environment", "name": {"sv": "Miljö", "en": "Environment"}},
        {"key": "property", "name": {"sv": "Ekonomiska och materiella värden", "en": "Economic and property values"}},
        {"key": "society", "name": {"sv": "Samhällets funktionalitet", "en": "Society's functioning"}},
        {
            "key": "democracy",
            "name": {"sv": "Demokrati, rättssäkerhet och förtroende", "en": "Democracy, rule of law and trust"},
        },
    ],
    "zones": [
        {"key": "green", "name": {"sv": "Acceptabel", "en": "Acceptable"}, "colour": "#2e7d32", "review_months": 24},
        {
            "key": "yellow",
            "name": {"sv": "Åtgärder bör övervägas", "en": "Measures should be considered"},
            "colour": "#f9a825",
            "review_months": 12,
        },
        {
            "key": "red",
            "name": {"sv": "Åtgärder krävs", "en": "Measures required"},
            "colour": "#c62828",
            "review_months": 6,
        },
    ],
    "grid": [
        ["green", "green", "green", "yellow", "yellow"],
        ["green", "green", "yellow", "yellow", "red"],
        ["green", "yellow", "yellow", "red", "red"],
        ["yellow", "yellow", "red", "red", "red"],
        ["yellow", "red", "red", "red", "red"],
    ],
    "capability": [
        {"level": i, "name": {"sv": sv, "en": en}}
        for i, sv, en in [
            (1, "God", "Good"),
            (2, "God med viss brist", "Good with some shortcomings"),
            (3, "Bristfällig", "Deficient"),
            (4, "Mycket bristfällig eller obefintlig", "Very deficient or none"),
        ]
    ],
}


@dataclass(frozen=True)
class Zone:
    key: str
    rank: int  # 0 for the most acceptable zone, rising with severity
    name: dict
    colour: str
    review_months: int

    @property
    def label(self) -> str:
        return tr(self.name)


@dataclass(frozen=True)
class Score:
    likelihood: int
    consequence: int  # the worst dimension
    level: int
    zone: Zone
    life_health: int  # the life-and-health dimension's consequence (0 when not assessed)
    flagged: bool


class ScoringError(ValueError):
    pass


class RiskMatrix:
    def __init__(self, spec: dict | None):
        spec = spec or DEFAULT_MATRIX
        self.likelihood = spec["likelihood"]
        self.consequence = spec["consequence"]
        self.dimensions = spec["dimensions"]
        self.zones = {
            z["key"]: Zone(z["key"], i, z["name"], z["colour"], z["review_months"]) for i, z in enumerate(spec["zones"])
        }
        self.grid = spec["grid"]
        self.capability = spec.get("capability") or DEFAULT_MATRIX["capability"]
        keys = [d["key"] for d in self.dimensions]
        self.life_dimension = spec.get("life_dimension") or ("life_health" if "life_health" in keys else keys[0])
        # Without a threshold of its own, the profile's two most severe consequence levels flag a risk.
        self.life_flag_from = spec.get("life_flag_from") or max(1, len(self.consequence) - 1)
        self.acceptance_role = spec.get("acceptance_role")

    @property
    def size(self) -> tuple[int, int]:
        return len(self.likelihood), len(self.consequence)

    def dimension_keys(self) -> list[str]:
        """Life and health first: personal safety weighs first (AL-1)."""
        keys = [d["key"] for d in self.dimensions]
        return [self.life_dimension] + [k for k in keys if k != self.life_dimension]

    def dimension_name(self, key: str) -> str:
        return next((tr(d["name"]) for d in self.dimensions if d["key"] == key), key)

    def likelihood_name(self, level: int) -> str:
        return tr(self.likelihood[level - 1]["name"]) if 1 <= level <= len(self.likelihood) else ""

    def consequence_name(self, level: int) -> str:
        return tr(self.consequence[level - 1]["name"]) if 1 <= level <= len(self.consequence) else ""

    def capability_name(self, level: int) -> str:
        return next((tr(s["name"]) for s in self.capability if s["level"] == level), str(level))

    def zone_at(self, likelihood: int, consequence: int) -> Zone:
        return self.zones[self.grid[likelihood - 1][consequence - 1]]

    def ordered_zones(self) -> list[Zone]:
        return sorted(self.zones.values(), key=lambda z: z.rank)

    def score(self, likelihood: int, consequences: dict[str, int]) -> Score:
        n_like, n_cons = self.size
        if not 1 <= likelihood <= n_like:
            raise ScoringError(f"likelihood {likelihood} is outside 1–{n_like}")
        known = {d["key"] for d in self.dimensions}
        values = {}
        for key, value in consequences.items():
            if key not in known:
                raise ScoringError(f"unknown consequence dimension {key!r}")
            if value is None:
                continue
            if not 1 <= value <= n_cons:
                raise ScoringError(f"consequence {value} is outside 1–{n_cons}")
            values[key] = value
        if not values:
            raise ScoringError("at least one consequence dimension must be assessed")
        worst = max(values.values())
        life = values.get(self.life_dimension, 0)
        return Score(
            likelihood=likelihood,
            consequence=worst,
            level=likelihood * worst,
            zone=self.zone_at(likelihood, worst),
            life_health=life,
            flagged=life >= self.life_flag_from,
        )

    def rows(self, counts: dict[tuple[int, int], int]) -> list[dict]:
        """The matrix as table rows, most likely first (as it is drawn), each cell with its zone
        and count."""
        rows = []
        for like in range(len(self.likelihood), 0, -1):
            cells = []
            for cons in range(1, len(self.consequence) + 1):
                cells.append(
                    {
                        "likelihood": like,
                        "consequence": cons,
                        "zone": self.zone_at(like, cons),
                        "count": counts.get((like, cons), 0),
                    }
                )
            rows.append({"level": like, "name": self.likelihood_name(like), "cells": cells})
        return rows


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with a zone's colour (WCAG's formula): the
    profile chooses the colours, the text on them stays readable."""
    lum = _luminance(background)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#000000"

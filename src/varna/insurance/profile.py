"""The insurance area's section of a profile (`insurance:`), declared in area.py: who reviews the
insurance needs, and which covers the policies in force must hold (the model's CoverKind)."""

from varna.organisation.schema import F, Int, List, Map, Str

from .models import CoverKind

INSURANCE = F(
    Map(
        {
            # The body that watches the insurance needs (HJ-7), by its name in the municipality;
            # it gets the yearly review.
            "review_body": F(Str(), required=False),
            "review_due_month": F(Int(1, 12), required=False, default=3),
            "required_covers": F(
                List(Str(choices=tuple(CoverKind.values)), min_items=1),
                required=False,
                default=[c.value for c in (CoverKind.FIRE, CoverKind.BURGLARY, CoverKind.WATER, CoverKind.LIABILITY)],
            ),
        }
    ),
    required=False,
    default={},
)

PROFILE_SECTIONS = {"insurance": INSURANCE}

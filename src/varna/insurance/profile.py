"""The insurance area's section of a profile (`insurance:`), declared in area.py: who reviews the
insurance needs, and which covers the policies in force must hold (the model's CoverKind)."""

from django.utils.translation import gettext as _

from varna.organisation.schema import Bool, F, Int, List, Map, Str

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

# The demo's insurance (`demo.insurance`): its policies and covers, the policy the demo's insured
# incidents are claimed under, and how many of the last years' reviews are done.
DEMO_INSURANCE = F(
    Map(
        {
            "policies": F(
                List(
                    Map(
                        {
                            "name": F(Str()),
                            "insurer": F(Str()),
                            "municipally_owned_insurer": F(Bool(), required=False, default=False),
                            "policy_number": F(Str(), required=False, default=""),
                            "insured_objects": F(Str(), required=False, default=""),
                            "premium": F(Int(0, 10**11), required=False, default=0),
                            # In force from 1 January this many years back.
                            "years_in_force": F(Int(0, 50), required=False, default=0),
                            # Unit codes; without them the top unit and the units right under it.
                            "insured_units": F(List(Str(), min_items=1), required=False),
                            # The demo's incidents with a claim number are claimed under this policy.
                            "claims": F(Bool(), required=False, default=False),
                            "covers": F(
                                List(
                                    Map(
                                        {
                                            "kind": F(Str(choices=tuple(CoverKind.values))),
                                            "deductible": F(Int(0, 10**9), required=False, default=0),
                                            "sum_insured": F(Int(0, 10**13), required=False),
                                        }
                                    )
                                ),
                                required=False,
                                default=[],
                            ),
                        }
                    )
                ),
                required=False,
                default=[],
            ),
            # The yearly insurance reviews of this many last years, done (needs insurance.review_body).
            "reviews_done": F(Int(0, 10), required=False, default=0),
        }
    ),
    required=False,
)

DEMO_SECTIONS = {"insurance": DEMO_INSURANCE}


def check_demo_insurance(data, ctx, ref, known) -> None:
    """The demo's policies insure the demo's units; one policy takes the claims; done reviews need
    the body that reviews."""
    demo = (data.get("demo") or {}).get("insurance")
    if not demo:
        return
    claiming = [p for p in demo["policies"] if p.get("claims")]
    for i, policy in enumerate(demo["policies"]):
        for code in policy.get("insured_units") or []:
            if code not in known["units"]:
                ctx.error(
                    policy.line_of("insured_units"),
                    f"demo.insurance.policies[{i}].insured_units",
                    _("'%(value)s' is not declared") % {"value": code},
                )
    if len(claiming) > 1:
        ctx.error(claiming[1].line_of("claims"), "demo.insurance.policies", _("only one policy may take the claims"))
    if demo.get("reviews_done") and not (data.get("insurance") or {}).get("review_body"):
        ctx.error(demo.line_of("reviews_done"), "demo.insurance.reviews_done", _("needs insurance.review_body"))

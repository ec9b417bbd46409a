"""The incident area's section of a profile (`incidents:`), declared in area.py: how long an
incident's personal data is kept, and the public form for residents. The categories are the
model's (Category)."""

from varna.organisation.schema import F, Int, List, Map, Str

from .models import Category

CATEGORIES = tuple(Category.values)

INCIDENTS = F(
    Map(
        {
            # How long personal data of an incident is kept, in months after it happened, per
            # category (`default` for the others); retention.py thins it.
            "personal_data_months": F(
                Map(
                    {
                        "default": F(Int(1, 1200), required=False),
                        **{category: F(Int(1, 1200), required=False) for category in CATEGORIES},
                    }
                ),
                required=False,
                default={},
            ),
            # The decision that allows the thinning (a records management plan).
            "retention_decision": F(Str(), required=False, default=""),
            # A public form (no login) for residents to report, e.g. graffiti (public.py); `unit`
            # is the code of the unit that receives the reports.
            "public_report": F(
                Map({"categories": F(List(Str(choices=CATEGORIES), min_items=1)), "unit": F(Str())}),
                required=False,
            ),
        }
    ),
    required=False,
    default={},
)

PROFILE_SECTIONS = {"incidents": INCIDENTS}

# The demo's incidents (`demo.incidents`): generated, since what a demo needs is volume, but only
# where the profile asks for them, for this many whole years back (and a few this year).
DEMO_INCIDENTS = F(Map({"years": F(Int(1, 10))}), required=False)

DEMO_SECTIONS = {"incidents": DEMO_INCIDENTS}

"""The documents area's parts of a profile, declared in area.py: the kinds of governing document
and who decides them (`document_kinds`), the routines the policy requires (`required_routines`),
the demo's documents (`demo.documents`), and their checks against the rest of the profile."""

from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation.profiles import KEY, check_keys_unique
from varna.organisation.schema import I18N, Bool, Date, F, Int, List, Map, Str

from .models import Status

DOCUMENT_KINDS = F(
    List(
        Map(
            {
                "key": F(Str(pattern=KEY)),
                "name": F(I18N),
                "parent_kinds": F(List(Str(pattern=KEY)), required=False, default=[]),
                "decided_by_body": F(Str(pattern=KEY), required=False),
                "decided_by_role": F(Str(pattern=KEY), required=False),
                "review_months": F(Int(minimum=1, maximum=120), required=False),
                "review_before_mandate_period": F(Bool(), required=False, default=False),
                "notify_body": F(Str(pattern=KEY), required=False),
            }
        )
    ),
    required=False,
    default=[],
)
# The areas a governing document covers (its `topics`); required_routines_exist checks them.
REQUIRED_ROUTINES = F(List(Map({"key": F(Str(pattern=KEY)), "name": F(I18N)})), required=False, default=[])

DEMO_DOCUMENTS = F(
    List(
        Map(
            {
                "key": F(Str(pattern=KEY)),
                "kind": F(Str(pattern=KEY)),
                "title": F(Str()),
                "unit": F(Str()),
                "owner": F(Str(), required=False),
                "parent": F(Str(pattern=KEY), required=False),
                "topics": F(List(Str(pattern=KEY)), required=False, default=[]),
                "classification": F(
                    Str(choices=tuple(Classification.values)), required=False, default=Classification.PUBLIC.value
                ),
                "classification_ground": F(Str(), required=False, default=""),
                "text": F(Str()),
                "decided": F(
                    Map(
                        {
                            "date": F(Date()),
                            "body": F(Str(pattern=KEY), required=False),
                            "person": F(Str(), required=False),
                            "record_number": F(Str(), required=False, default=""),
                            "in_force_from": F(Date(), required=False),
                            "communicated": F(Date(), required=False),
                        }
                    ),
                    required=False,
                ),
                # A demo document without a decision is a draft or out for consultation.
                "status": F(
                    Str(choices=(Status.DRAFT.value, Status.CONSULTATION.value)),
                    required=False,
                    default=Status.DRAFT.value,
                ),
            }
        )
    ),
    required=False,
    default=[],
)

PROFILE_SECTIONS = {"document_kinds": DOCUMENT_KINDS, "required_routines": REQUIRED_ROUTINES}
DEMO_SECTIONS = {"documents": DEMO_DOCUMENTS}


def check_documents(data, ctx, ref, known) -> None:
    """The document kinds refer to the profile's roles and body kinds and to each other, each with
    exactly one decider; the demo's documents refer to the kinds, the routines and the demo's
    units, people, bodies and earlier documents (a profile check, area.py). Leaves the kinds and
    the demo's documents in `known` for the areas whose demo refers to them."""
    roles, bodies = known["role_types"], known["body_kinds"]
    check_keys_unique(data, ctx, ("document_kinds", "required_routines"))

    kinds = {k["key"] for k in data.get("document_kinds") or [] if k and k.get("key")}
    for i, kind in enumerate(data.get("document_kinds") or []):
        path = f"document_kinds[{i}]"
        ref(kind, "decided_by_body", bodies, path)
        ref(kind, "decided_by_role", roles, path)
        ref(kind, "notify_body", bodies, path)
        for parent in kind.get("parent_kinds") or []:
            if parent not in kinds:
                ctx.error(
                    kind.line_of("parent_kinds"),
                    f"{path}.parent_kinds",
                    _("'%(value)s' is not declared") % {"value": parent},
                )
    for i, kind in enumerate(data.get("document_kinds") or []):
        if bool(kind.get("decided_by_body")) == bool(kind.get("decided_by_role")):
            ctx.error(kind.line, f"document_kinds[{i}]", _("give exactly one of decided_by_body and decided_by_role"))

    documents = (data.get("demo") or {}).get("documents") or []
    doc_keys = {d.get("key") for d in documents}
    topics = {r.get("key") for r in data.get("required_routines") or []}
    for i, doc in enumerate(documents):
        path = f"demo.documents[{i}]"
        ref(doc, "kind", kinds, path)
        ref(doc, "unit", known["units"], path)
        ref(doc, "owner", known["people"], path)
        ref(doc, "parent", doc_keys, path)
        for topic in doc.get("topics") or []:
            if topic not in topics:
                ctx.error(doc.line_of("topics"), f"{path}.topics", _("'%(value)s' is not declared") % {"value": topic})
        decided = doc.get("decided")
        if decided:
            ref(decided, "body", known["bodies"], f"{path}.decided")
            ref(decided, "person", known["people"], f"{path}.decided")
    known["document_kinds"] = kinds
    known["documents"] = doc_keys

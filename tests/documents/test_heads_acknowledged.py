"""The check `heads_acknowledged` (issue 12): the heads at the levels have acknowledged the
governing documents in force that they answer for spreading."""

from varna.core.obligations import Status, registry
from varna.documents import acknowledgements as acks
from varna.documents.models import APPLYING, Document
from varna.documents.obligations import heads_acknowledged
from varna.organisation.models import RoleAssignment

KINDS = ["policy", "guideline"]


def _in_force(group):
    return [d for d in Document.objects.filter(group=group, kind__in=KINDS, status__in=APPLYING) if d.decided_version]


def test_the_heads_go_from_none_to_all_having_acknowledged(group):
    profile = group.profile
    documents = _in_force(group)
    assert documents
    heads = [
        a.person
        for a in RoleAssignment.objects.current().filter(unit__group=group, unit__kind="administration", role="head")
    ]
    result = heads_acknowledged(group, profile, KINDS, ["administration"])
    assert result.status == Status.NOT_MET and result.summary.startswith(f"0 of {len(heads)} heads")
    assert sorted(e.label for e in result.evidence) == sorted(str(p) for p in heads)

    for document in documents:
        acks.request_acknowledgement(document, people=heads)
    for document in documents:
        acks.acknowledge(heads[0], document)
    result = heads_acknowledged(group, profile, KINDS, ["administration"])
    assert result.status == Status.PARTLY and result.summary.startswith(f"1 of {len(heads)} heads")
    assert str(heads[0]) not in [e.label for e in result.evidence]

    for head in heads[1:]:
        for document in documents:
            acks.acknowledge(head, document)
    result = heads_acknowledged(group, profile, KINDS, ["administration"])
    assert result.status == Status.MET and result.summary.startswith(f"All {len(heads)} heads")


def test_without_documents_in_force_it_cannot_be_checked_and_the_profile_may_bind_it(group):
    result = heads_acknowledged(group, group.profile, ["routine"], ["administration"])
    assert result.status in (Status.NOT_CHECKABLE, Status.NOT_MET, Status.PARTLY)
    Document.objects.filter(group=group, kind="routine").delete()
    assert heads_acknowledged(group, group.profile, ["routine"], ["administration"]).status == Status.NOT_CHECKABLE
    check = {"check": "heads_acknowledged", "kinds": ["policy"], "levels": ["administration"]}
    assert registry.validate(check, group.profile.data) is None
    assert "nope" in registry.validate({**check, "levels": ["nope"]}, group.profile.data)

"""What happens to risks and measures: assessing, completing a measure, re-assessment prompts."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.dates import add_months
from varna.core.links import name_in_message
from varna.core.models import Notification, StaleEditError, Task
from varna.organisation.models import RoleAssignment
from varna.organisation.services import responsibilities, responsibility_with_inheritance

from .models import Assessment, CapabilityAssessment, Measure, Risk, RiskAcceptance, matrix_for


@transaction.atomic
def assess(
    risk: Risk,
    *,
    likelihood: int,
    consequences: dict[str, int],
    kind: str = Assessment.Kind.CURRENT,
    reasoning: str = "",
    user=None,
    on: datetime.date | None = None,
) -> Assessment:
    """Add a dated assessment and copy it onto the risk. A current assessment sets the next
    review from the zone's cadence in the profile and closes open re-assessment tasks."""
    matrix = risk.matrix
    score = matrix.score(likelihood, consequences)  # ScoringError on values outside the scales
    on = on or timezone.localdate()
    assessment = Assessment.objects.create(
        risk=risk,
        kind=kind,
        assessed_on=on,
        likelihood=score.likelihood,
        consequences={k: v for k, v in consequences.items() if v},
        consequence=score.consequence,
        level=score.level,
        zone=score.zone.key,
        reasoning=reasoning,
        assessed_by=user,
    )
    newest = risk.assessments.filter(kind=kind).order_by("-assessed_on", "-pk").first()
    if newest.pk != assessment.pk:
        return assessment  # a back-dated assessment joins the history without replacing the newer one
    if kind == Assessment.Kind.CURRENT:
        risk.assessed_on = on
        risk.likelihood, risk.consequence, risk.level = score.likelihood, score.consequence, score.level
        risk.consequences = assessment.consequences
        risk.zone, risk.zone_rank = score.zone.key, score.zone.rank
        risk.life_health, risk.flagged = score.life_health, score.flagged
        risk.next_review = add_months(on, score.zone.review_months)
        Task.objects.filter(
            subject_type=ContentType.objects.get_for_model(Risk), subject_id=str(risk.pk), state=Task.State.OPEN
        ).update(state=Task.State.DONE, done_at=timezone.now())
    else:
        risk.residual_likelihood, risk.residual_consequence = score.likelihood, score.consequence
        risk.residual_zone = score.zone.key
    # Conditional on the version the caller read: of two assessments made at once from the same
    # page, the second is refused (StaleEditError, the transaction rolls back) instead of
    # silently replacing the first.
    updated = Risk.objects.filter(pk=risk.pk, version=risk.version).update(
        version=risk.version + 1,
        assessed_on=risk.assessed_on,
        likelihood=risk.likelihood,
        consequence=risk.consequence,
        consequences=risk.consequences,
        level=risk.level,
        zone=risk.zone,
        zone_rank=risk.zone_rank,
        life_health=risk.life_health,
        flagged=risk.flagged,
        next_review=risk.next_review,
        residual_likelihood=risk.residual_likelihood,
        residual_consequence=risk.residual_consequence,
        residual_zone=risk.residual_zone,
        updated_at=timezone.now(),
    )
    if not updated:
        raise StaleEditError
    risk.version += 1
    return assessment


def risk_owners(risk: Risk) -> list:
    """Who answers for a risk: its owner, else the operationally responsible of its unit."""
    if risk.owner_id:
        return [risk.owner]
    ancestors = list(risk.unit.ancestors())
    by_unit = responsibilities([*ancestors, risk.unit], profile=risk.group.profile)
    own = responsibility_with_inheritance(risk.unit, ancestors, by_unit)
    return by_unit[(own.inherited_from or risk.unit).pk].operational


@transaction.atomic
def complete_measure(measure: Measure, *, user, expected_version: int, on: datetime.date | None = None) -> list[Task]:
    """Mark a measure done. Each active risk it treats is due for re-assessment: its owner gets
    a task (and a notification), closed by the next current assessment."""
    measure.status = Measure.State.DONE
    measure.completed_on = on or timezone.localdate()
    measure.save_versioned(expected_version)
    tasks = []
    body = _("The measure “%(record)s” is done. Assess the risk again to see its effect.")
    for risk in measure.risks.active().select_related("group", "unit", "owner__user"):
        tasks += ask_reassessment(
            risk, because=measure, body=body, due_date=measure.completed_on + datetime.timedelta(days=30), user=user
        )
    return tasks


def ask_reassessment(risk: Risk, *, because, body: str, due_date: datetime.date, user=None) -> list[Task]:
    """Give the risk's owners a task to re-assess it (and a notification, unless they asked for
    it themselves); the next current assessment closes the task. An owner who already has an
    open re-assessment task for the risk gets no second one. `body` says why, naming the record
    `because` as %(record)s; each owner reads the names they may (core.links.name_in_message)."""
    risk_type = ContentType.objects.get_for_model(Risk)
    tasks = []
    for person in risk_owners(risk):
        already = Task.objects.filter(
            owner=person, subject_type=risk_type, subject_id=str(risk.pk), state=Task.State.OPEN
        ).exists()
        if already:
            continue
        title = _("Re-assess the risk: %(title)s") % {"title": name_in_message(risk, person.user)}
        tasks.append(
            Task.objects.create(
                group_id=risk.group_id,
                owner=person,
                title=title,
                due_date=due_date,
                url=risk.get_absolute_url(),
                subject_type=risk_type,
                subject_id=str(risk.pk),
            )
        )
        if person.user_id and person.user_id != getattr(user, "pk", None):
            Notification.objects.create(
                group_id=risk.group_id,
                recipient_id=person.user_id,
                subject=title,
                body=body % {"record": name_in_message(because, person.user)},
                url=risk.get_absolute_url(),
            )
    return tasks


class RuleError(Exception):
    """A step the policy does not allow; the message says why, in the user's language."""


def acceptance_role(group) -> str | None:
    """The role that signs off an accepted risk: the profile's `risk_matrix.acceptance_role`,
    else the role of the heads of units."""
    matrix = matrix_for(group)
    if matrix.acceptance_role:
        return matrix.acceptance_role
    heads = group.profile.roles_with(responsibility="head")
    return heads[0] if heads else None


def who_may_accept(risk: Risk, day: datetime.date | None = None) -> list:
    """The people who hold the acceptance role on the risk's unit or a unit above it today."""
    role = acceptance_role(risk.group)
    if role is None:
        return []
    chain = [*risk.unit.ancestors(), risk.unit]
    assignments = (
        RoleAssignment.objects.current(day or timezone.localdate())
        .filter(role=role, unit__in=chain)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )
    return list(dict.fromkeys(a.person for a in assignments))


@transaction.atomic
def accept(
    risk: Risk, *, person, reason: str, expires_on: datetime.date, user, expected_version: int, on=None
) -> RiskAcceptance:
    on = on or timezone.localdate()
    if risk.likelihood is None:
        raise RuleError(_("Assess the risk before it is accepted: an acceptance holds for a level."))
    if risk.status == Risk.State.CLOSED:
        raise RuleError(_("A closed risk cannot be accepted."))
    if person is None or person not in who_may_accept(risk, on):
        role = risk.group.profile.role_name(acceptance_role(risk.group) or "")
        raise RuleError(
            _("Only a holder of the role %(role)s for %(unit)s or a unit above it may accept this risk.")
            % {"role": role.lower(), "unit": risk.unit}
        )
    if expires_on <= on:
        raise RuleError(_("An acceptance must end after today."))
    RiskAcceptance.objects.filter(risk=risk, ended_on__isnull=True).update(ended_on=on)
    acceptance = RiskAcceptance.objects.create(
        risk=risk,
        accepted_by=person,
        role=acceptance_role(risk.group),
        accepted_on=on,
        expires_on=expires_on,
        reason=reason,
        level=risk.level,
        zone=risk.zone,
        created_by=user,
    )
    risk.status = Risk.State.ACCEPTED
    risk.save_versioned(expected_version)
    return acceptance


@transaction.atomic
def end_acceptance(risk: Risk, *, expected_version: int, on=None) -> None:
    """The risk is no longer accepted: it is active again."""
    RiskAcceptance.objects.filter(risk=risk, ended_on__isnull=True).update(ended_on=on or timezone.localdate())
    risk.status = Risk.State.ACTIVE
    risk.save_versioned(expected_version)


def expire_acceptances(day: datetime.date) -> list[RiskAcceptance]:
    """Acceptances past their end date end: the risk is active again and its owner gets a task
    to assess it (daily job, idempotent: an ended acceptance is not ended twice)."""
    risk_type = ContentType.objects.get_for_model(Risk)
    expired = []
    for acceptance in RiskAcceptance.objects.filter(ended_on__isnull=True, expires_on__lt=day).select_related(
        "risk__unit", "risk__owner", "risk__group"
    ):
        with transaction.atomic():
            if not RiskAcceptance.objects.filter(pk=acceptance.pk, ended_on__isnull=True).update(ended_on=day):
                continue  # another worker got there first
            risk = acceptance.risk
            Risk.objects.filter(pk=risk.pk, status=Risk.State.ACCEPTED).update(
                status=Risk.State.ACTIVE, version=risk.version + 1
            )
            for person in risk_owners(risk):
                Task.objects.create(
                    group_id=risk.group_id,
                    owner=person,
                    title=_("The acceptance has expired; assess the risk again: %(title)s")
                    % {"title": name_in_message(risk, person.user)},
                    due_date=day + datetime.timedelta(days=30),
                    url=risk.get_absolute_url(),
                    subject_type=risk_type,
                    subject_id=str(risk.pk),
                )
        expired.append(acceptance)
    return expired


def attach_newest_capabilities(functions, matrix) -> None:
    """Give each vital function `capabilities`: its newest capability assessment per event type
    (by date, then entry), each with `level_name` on the profile's scale. One query."""
    newest: dict[int, dict[str, CapabilityAssessment]] = {}
    for assessment in CapabilityAssessment.objects.filter(function__in=functions).order_by("assessed_on", "pk"):
        newest.setdefault(assessment.function_id, {})[assessment.event_type] = assessment
    for function in functions:
        function.capabilities = sorted(newest.get(function.pk, {}).values(), key=lambda a: a.event_type)
        for assessment in function.capabilities:
            assessment.level_name = matrix.capability_name(assessment.level)

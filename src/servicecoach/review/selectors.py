"""Reading review data, always through the scope of the user asking (docs/quality-review.md#who-sees-what).

- administrators and QA leads (a QA reviewer whose scope unit is the company) see and manage everything;
  training managers read everything;
- a QA reviewer sees the reviews assigned to them (calibration reviews included);
- a supervisor sees the submitted reviews and the appeals of the conversations of their units;
- an agent sees the submitted reviews of their own conversations and their own appeals.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from servicecoach.org.models import OrgUnit, Person, Role, User
from servicecoach.org.selectors import person_for_user, supervised_units, unit_subtree, user_roles
from servicecoach.quality.selectors import qa_reviewer_units
from servicecoach.review.models import (
    Appeal,
    AppealStatus,
    CalibrationSession,
    CaseWriteUp,
    Review,
    ReviewKind,
    ReviewStatus,
    SamplingPlan,
)

READ_ALL = frozenset({Role.ADMIN, Role.TRAINING_MANAGER})
# Who may open the dashboard (each for the units of their scope).
DASHBOARD_ROLES = (Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER, Role.SUPERVISOR)
# Who works in the review loop at all (agents read their own reviews and appeals).
REVIEW_ROLES = (Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER, Role.SUPERVISOR, Role.AGENT)


def is_qa_lead(user: User | None) -> bool:
    """A QA lead is a QA reviewer whose role's scope unit (else their own unit) is the company, the top of
    the tree: the same rule that lets the quality app show them every conversation. Administrators count
    as QA leads for every decision a QA lead takes."""
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return True
    if Role.QA_REVIEWER not in roles:
        return False
    return any(unit.parent_id is None for unit in qa_reviewer_units(user))


def qa_leads() -> QuerySet[Person]:
    """People who are QA leads (for the documentation and the notification lists)."""
    from servicecoach.org.models import RoleAssignment

    top = OrgUnit.objects.filter(parent__isnull=True)
    ids = set(RoleAssignment.objects.filter(role=Role.QA_REVIEWER, unit__in=top).values_list("person_id", flat=True))
    ids |= set(RoleAssignment.objects.filter(role=Role.QA_REVIEWER, unit__isnull=True, person__unit__in=top)
               .values_list("person_id", flat=True))
    return Person.objects.filter(pk__in=ids)


def can_manage(user: User | None) -> bool:
    """Plans, reassignment, calibration sessions: QA leads and administrators."""
    return is_qa_lead(user)


def reviewer_candidates() -> QuerySet[Person]:
    """People who may be given reviews: QA reviewers (and administrators with a person record)."""
    return Person.objects.filter(roles__role__in=[Role.QA_REVIEWER, Role.ADMIN], status="active").distinct() \
        .order_by("employee_no")


def _supervised_subtree(user: User | None) -> QuerySet[OrgUnit] | None:
    if Role.SUPERVISOR not in user_roles(user):
        return None
    tops = list(supervised_units(user))
    return unit_subtree(tops) if tops else None


def reviews_visible_to(user: User | None) -> QuerySet[Review]:
    roles = user_roles(user)
    qs = Review.objects.select_related("conversation", "reviewer", "conversation__agent", "conversation__unit")
    if not roles & set(REVIEW_ROLES):
        return qs.none()
    if roles & READ_ALL or is_qa_lead(user):
        return qs
    person = person_for_user(user)
    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(reviewer=person)
        condition |= Q(kind=ReviewKind.REGULAR, status=ReviewStatus.SUBMITTED, conversation__agent=person)
    units = _supervised_subtree(user)
    if units is not None:
        condition |= Q(kind=ReviewKind.REGULAR, status=ReviewStatus.SUBMITTED, conversation__unit__in=units)
    return qs.filter(condition)


def review_get(*, user: User | None, pk: int) -> Review:
    review = reviews_visible_to(user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def can_edit_review(user: User | None, review: Review) -> bool:
    """The assigned reviewer, or a QA lead on a regular review, until it is submitted (then only an
    accepted appeal changes it). Calibration reviews are their reviewer's alone (blind)."""
    if review.status == ReviewStatus.SUBMITTED:
        return False
    if review.session_id and review.session.closed:
        return False
    person = person_for_user(user)
    if person is not None and review.reviewer_id == person.pk:
        return True
    return review.kind == ReviewKind.REGULAR and is_qa_lead(user)


def review_queue(user: User | None) -> QuerySet[Review]:
    """The reviews waiting for this user: assigned to them, not yet submitted, not in a closed session."""
    person = person_for_user(user)
    if person is None:
        return Review.objects.none()
    return (Review.objects.filter(reviewer=person).exclude(status=ReviewStatus.SUBMITTED)
            .exclude(session__closed_at__isnull=False)
            .select_related("conversation", "conversation__agent", "session", "plan")
            .order_by("assigned_at", "pk"))


def home_review_queue(user: User | None) -> dict[str, Any]:
    queue = review_queue(user)
    return {"reviews": list(queue[:8]), "total": queue.count()}


def regular_review_for(conversation) -> Review | None:
    return Review.objects.filter(conversation=conversation, kind=ReviewKind.REGULAR).first()


# ---------------------------------------------------------------------------- plans


def plans_visible_to(user: User | None) -> QuerySet[SamplingPlan]:
    """QA staff read the plans (what they will be given); QA leads and administrators change them."""
    if not user_roles(user) & {Role.ADMIN, Role.QA_REVIEWER}:
        return SamplingPlan.objects.none()
    return SamplingPlan.objects.select_related("unit").prefetch_related("reviewers__reviewer")


# ---------------------------------------------------------------------------- appeals


def appeals_visible_to(user: User | None) -> QuerySet[Appeal]:
    roles = user_roles(user)
    qs = Appeal.objects.select_related("review", "review__conversation", "agent", "review__reviewer")
    if not roles & set(REVIEW_ROLES):
        return qs.none()
    if roles & READ_ALL or is_qa_lead(user):
        return qs
    person = person_for_user(user)
    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(agent=person) | Q(review__reviewer=person)
    units = _supervised_subtree(user)
    if units is not None:
        condition |= Q(review__conversation__unit__in=units) | Q(agent__unit__in=units)
    return qs.filter(condition)


def appeal_get(*, user: User | None, pk: int) -> Appeal:
    appeal = appeals_visible_to(user).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    return appeal


def is_supervisor_of(user: User | None, person: Person) -> bool:
    units = _supervised_subtree(user)
    me = person_for_user(user)
    if units is None or (me is not None and me.pk == person.pk):
        return False
    return units.filter(pk=person.unit_id).exists()


def appeal_next_actor(user: User | None, appeal: Appeal) -> str | None:
    """Which decision this user may take now: "supervisor", "qa_lead" or None."""
    me = person_for_user(user)
    if me is not None and me.pk == appeal.agent_id:
        return None
    if appeal.status == AppealStatus.SUPERVISOR and (is_supervisor_of(user, appeal.agent)
                                                     or Role.ADMIN in user_roles(user)):
        return "supervisor"
    if appeal.status == AppealStatus.QA_LEAD and is_qa_lead(user):
        return "qa_lead"
    return None


def appeals_waiting_for(user: User | None) -> QuerySet[Appeal]:
    """Open appeals this user has to decide."""
    ids = [a.pk for a in appeals_visible_to(user).filter(status__in=[AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD])
           if appeal_next_actor(user, a)]
    return Appeal.objects.filter(pk__in=ids)


# ---------------------------------------------------------------------------- calibration and cases


def sessions_visible_to(user: User | None) -> QuerySet[CalibrationSession]:
    if not user_roles(user) & set(REVIEW_ROLES):
        return CalibrationSession.objects.none()
    qs = CalibrationSession.objects.select_related("expert")
    if is_qa_lead(user) or Role.TRAINING_MANAGER in user_roles(user):
        return qs
    person = person_for_user(user)
    if person is None:
        return qs.none()
    return qs.filter(Q(participants=person) | Q(expert=person)).distinct()


def session_get(*, user: User | None, pk: int) -> CalibrationSession:
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def can_see_report(user: User | None, session: CalibrationSession) -> bool:
    """The report is for QA leads and training managers at any time; for the expert and the
    participants once the session is closed (until then the reviews are blind)."""
    if is_qa_lead(user) or Role.TRAINING_MANAGER in user_roles(user):
        return True
    person = person_for_user(user)
    if person is not None and person.pk == session.expert_id:
        return True
    return session.closed


def cases_published() -> QuerySet[CaseWriteUp]:
    """The case library: published write-ups (masked), readable by every signed-in user of the loop."""
    return CaseWriteUp.objects.filter(published_at__isnull=False).order_by("-published_at")

"""Quality review (servicecoach.review): queue, reviews, sampling plans, case write-ups, appeals,
calibration, dashboard.

Who is who here: the sample admin is also a QA lead (administrators take every QA-lead decision); the
sample QA reviewer sits in Training, so they are an ordinary reviewer (not a QA lead) and see only what
is assigned to them; the supervisor sees the submitted reviews and appeals of Team A; the agent their own
submitted reviews and appeals; trainers and mentors are not in the review loop (403).
"""

from __future__ import annotations

from datetime import date

from tests.permissions.entries_quality import conversation
from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

LOOP = {"admin": OK, "training_manager": OK, "qa_reviewer": OK, "supervisor": OK, "agent": OK}


def _submitted_review(org, cid: str = "rv-1"):
    """The agent's conversation (Team A) reviewed and submitted by the sample QA reviewer (the same one
    when asked again: the API entries are requested twice, with and without a format suffix)."""
    from servicecoach.review import services
    from servicecoach.review.models import Review

    existing = Review.objects.filter(conversation__external_id=cid, kind="regular").first()
    if existing is not None:
        return existing
    review = services.review_assign(actor=None, conversation=conversation(org, "S007", cid),
                                    reviewer=org.people["qa_reviewer"])
    marks = {i.position: ({"earned": i.points} if i.applicable else {"na": True}) for i in review.items.all()}
    return services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)


def submitted(org):
    return {"pk": _submitted_review(org).pk}


def pending_mine(org):
    """A pending review of the agent's conversation, assigned to the sample QA reviewer."""
    from servicecoach.review import services

    return {"pk": services.review_assign(actor=None, conversation=conversation(org, "S007", "rv-2"),
                                         reviewer=org.people["qa_reviewer"]).pk}


def pending_other_team(org):
    """A pending review of another team's conversation, assigned to the administrator."""
    from servicecoach.review import services
    from servicecoach.review.models import Review

    existing = Review.objects.filter(conversation__external_id="rv-3").first()
    if existing is not None:
        return {"pk": existing.pk}
    return {"pk": services.review_assign(actor=None, conversation=conversation(org, "S009", "rv-3"),
                                         reviewer=org.people["admin"]).pk}


def agent_conversation(org):
    return {"pk": conversation(org, "S007", "rv-4").pk}


def plan(org):
    from servicecoach.review import services
    from servicecoach.review.models import PlanKind, Recurrence

    return {"pk": services.plan_save(actor=None, plan=None, fields={
        "name": "matrix plan", "unit": org.units["service"], "kind": PlanKind.RANDOM, "percent": 10,
        "recurrence": Recurrence.ONCE, "date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)},
        reviewers=[(org.people["qa_reviewer"], 1)]).pk}


def published_case(org):
    from servicecoach.review import services

    review = _submitted_review(org, "rv-5")
    case = services.case_save(actor=None, review=review, data={
        "title": "案例", "outcome": "good", "background": "b", "problem": "p", "handling": "h", "result": "r"})
    return {"pk": services.case_publish(actor=None, case=case).pk}


def appeal(org):
    from servicecoach.review import services
    from servicecoach.review.models import Appeal

    review = _submitted_review(org, "rv-6")
    if Appeal.objects.filter(review=review).exists():
        return {"pk": Appeal.objects.get(review=review).pk}
    item = review.items.filter(applicable=True).first()
    return {"pk": services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk],
                                         comment="不同意").pk}


def session(org):
    from servicecoach.review import services

    return {"pk": services.session_create(
        actor=None, title="matrix calibration", expert=org.people["admin"],
        participants=[org.people["qa_reviewer"], org.teammate], conversations=[conversation(org, "S007", "rv-7")]).pk}


ENTRIES = [
    Entry("review:queue", expect=only("admin", "qa_reviewer")),
    Entry("review:review-list", expect=expect(FORBIDDEN, **LOOP)),
    Entry("review:review-detail", label="submitted, agent's own (Team A)", kwargs=submitted,
          expect=expect(FORBIDDEN, **LOOP)),
    Entry("review:review-detail", label="pending, other team, the admin's", kwargs=pending_other_team,
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, qa_reviewer=NOT_FOUND, supervisor=NOT_FOUND,
                        agent=NOT_FOUND)),
    Entry("review:review-edit", label="pending, the QA reviewer's", kwargs=pending_mine,
          expect=only("admin", "qa_reviewer")),
    Entry("review:review-edit", label="pending, the admin's", kwargs=pending_other_team,
          expect=expect(FORBIDDEN, admin=OK, qa_reviewer=NOT_FOUND)),
    Entry("review:review-edit", label="submitted: back to the review", kwargs=submitted,
          expect=only("admin", "qa_reviewer")),
    Entry("review:review-reassign", method="POST", data={}, kwargs=pending_mine, expect=only("admin")),
    Entry("review:review-start", method="POST", data={}, kwargs=agent_conversation,
          expect=expect(FORBIDDEN, admin=OK, qa_reviewer=NOT_FOUND)),
    Entry("review:plan-list", expect=only("admin", "qa_reviewer")),
    Entry("review:plan-create", expect=only("admin")),
    Entry("review:plan-create", label="invalid form", method="POST", data={}, expect=only("admin")),
    Entry("review:plan-edit", kwargs=plan, expect=only("admin")),
    Entry("review:plan-run", method="POST", data={}, kwargs=plan, expect=only("admin")),
    Entry("review:case-edit", kwargs=submitted, expect=only("admin", "qa_reviewer")),
    Entry("review:case-list", expect=signed_in()),
    Entry("review:case-detail", kwargs=published_case, expect=signed_in()),
    Entry("review:case-unpublish", method="POST", data={}, kwargs=published_case,
          expect=only("admin", "qa_reviewer")),
    Entry("review:appeal-create", kwargs=submitted, expect=only("agent")),
    Entry("review:appeal-list", expect=expect(FORBIDDEN, **LOOP)),
    Entry("review:appeal-detail", kwargs=appeal, expect=expect(FORBIDDEN, **LOOP)),
    # a decision with an empty form: the form comes back (200) to those who may decide now
    Entry("review:appeal-detail", label="decide", method="POST", data={}, kwargs=appeal,
          expect=only("admin", "supervisor")),
    Entry("review:calibration-list", expect=only("admin", "training_manager", "qa_reviewer")),
    Entry("review:calibration-create", expect=only("admin")),
    Entry("review:calibration-detail", kwargs=session, expect=only("admin", "training_manager", "qa_reviewer")),
    # blind until closed: the participants see the report only then
    Entry("review:calibration-report", kwargs=session, expect=only("admin", "training_manager")),
    Entry("review:calibration-close", method="POST", data={}, kwargs=session, expect=only("admin")),
    Entry("review:dashboard", expect=only("admin", "training_manager", "qa_reviewer", "supervisor")),
    Entry("review:dashboard-repeat", expect=only("admin", "training_manager", "qa_reviewer", "supervisor")),
    # REST, read-only, scoped like the pages
    Entry("api:review-list", expect=expect(FORBIDDEN, **LOOP)),
    Entry("api:review-detail", label="submitted, agent's own (Team A)", kwargs=submitted,
          expect=expect(FORBIDDEN, **LOOP)),
    Entry("api:review-detail", label="pending, other team, the admin's", kwargs=pending_other_team,
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, qa_reviewer=NOT_FOUND, supervisor=NOT_FOUND,
                        agent=NOT_FOUND)),
    Entry("api:appeal-list", expect=expect(FORBIDDEN, **LOOP)),
    Entry("api:appeal-detail", kwargs=appeal, expect=expect(FORBIDDEN, **LOOP)),
]

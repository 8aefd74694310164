"""Assessment pages: question bank, papers, exams, taking an exam, marking, results.

Managers (admin, training manager, trainer) run the bank, papers and exams; a candidate sees only their
own attempts (another's: 404); a supervisor sees the attempts of their team (another team's: 404)."""

from __future__ import annotations

from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

MANAGERS = ("admin", "training_manager", "trainer")


def _question(org):
    from servicecoach.exams import services
    from servicecoach.exams.engine.questions import KeyPoint, Option, ShortAnswer, SingleChoice
    from servicecoach.exams.models import Question

    # kwargs may be computed twice for one entry (the DRF format-suffix request): reuse what exists
    if Question.objects.filter(key="perm-q1").exists():
        return Question.objects.get(key="perm-q1"), Question.objects.get(key="perm-q2")
    q1 = services.question_create(actor=None, question=SingleChoice(
        key="perm-q1", stem="客户来电投诉物流延误，首先应当？", topic="投诉处理",
        options=(Option(id="A", text="安抚情绪并致歉", correct=True), Option(id="B", text="直接转接"))))
    q2 = services.question_create(actor=None, question=ShortAnswer(
        key="perm-q2", stem="投诉处理的步骤？", topic="投诉处理", key_points=(KeyPoint(id="k1", text="致歉"),
                                                                        KeyPoint(id="k2", text="记录"))))
    return q1, q2


def _exam(org):
    from datetime import timedelta

    from django.utils import timezone

    from servicecoach.exams import services

    q1, q2 = _question(org)
    paper = services.paper_save(actor=None, paper=None, title="权限试卷", kind="fixed", fixed=[(q1, None), (q2, None)])
    now = timezone.now()
    return services.exam_save(
        actor=None, exam=None, people=[org.people["agent"], org.outsider], units=[], title="权限考试", paper=paper,
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_minutes=60,
        attempts_allowed=1, shuffle_questions=False, shuffle_options=False, layout="one_page",
        mc_policy="all_or_nothing", pass_percent=60,
    )


def _attempt(org, person, *, submitted=False):
    from servicecoach.exams import services

    attempt = services.attempt_start(exam=_exam(org), person=person)
    if submitted:
        services.answer_save(attempt=attempt, position=2, answer="先致歉", client_time=1)
        attempt = services.attempt_submit(attempt=attempt)
    return attempt


def _queued_item(org):
    attempt = _attempt(org, org.people["agent"], submitted=True)
    return {"pk": attempt.items.get(position=2).pk}


ENTRIES = [
    # question bank
    Entry("exams:question-list", expect=only(*MANAGERS)),
    Entry("exams:question-create", expect=only(*MANAGERS)),
    Entry("exams:question-create", label="invalid", method="POST", data={"qtype": "single_choice"},
          expect=only(*MANAGERS)),
    Entry("exams:question-detail", kwargs=lambda org: {"pk": _question(org)[0].pk}, expect=only(*MANAGERS)),
    Entry("exams:question-update", kwargs=lambda org: {"pk": _question(org)[0].pk}, expect=only(*MANAGERS)),
    Entry("exams:question-archive", method="POST", data={"archived": "1"},
          kwargs=lambda org: {"pk": _question(org)[0].pk}, expect=only(*MANAGERS)),
    Entry("exams:question-import", expect=only(*MANAGERS)),
    Entry("exams:question-import", label="no file", method="POST", data={"fmt": "gift"}, expect=only(*MANAGERS)),
    Entry("exams:question-import-template", expect=only(*MANAGERS)),
    Entry("exams:question-export", expect=only(*MANAGERS)),
    # papers
    Entry("exams:paper-list", expect=only(*MANAGERS)),
    Entry("exams:paper-create", expect=only(*MANAGERS)),
    Entry("exams:paper-detail", kwargs=lambda org: {"pk": _exam(org).paper.pk}, expect=only(*MANAGERS)),
    Entry("exams:paper-update", kwargs=lambda org: {"pk": _exam(org).paper.pk}, expect=only(*MANAGERS)),
    # exams, managed
    Entry("exams:exam-list", expect=only(*MANAGERS)),
    Entry("exams:exam-create", expect=only(*MANAGERS)),
    Entry("exams:exam-update", kwargs=lambda org: {"pk": _exam(org).pk}, expect=only(*MANAGERS)),
    Entry("exams:exam-release", method="POST", data={"release": "1"}, kwargs=lambda org: {"pk": _exam(org).pk},
          expect=only(*MANAGERS)),
    # a candidate (the agent) is sent on to their exams; other non-managers: 404
    Entry("exams:exam-detail", kwargs=lambda org: {"pk": _exam(org).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, agent=OK)),
    Entry("exams:result-list", expect=only(*MANAGERS, "supervisor")),
    Entry("exams:marking-queue", expect=only(*MANAGERS)),
    Entry("exams:item-mark", kwargs=_queued_item, expect=only(*MANAGERS)),
    # candidates
    Entry("exams:my-exams", expect=signed_in()),
    Entry("exams:exam-start", method="POST", kwargs=lambda org: {"pk": _exam(org).pk},
          expect=expect(NOT_FOUND, agent=OK)),
    Entry("exams:attempt-take", kwargs=lambda org: {"pk": _attempt(org, org.people["agent"]).pk},
          expect=expect(NOT_FOUND, agent=OK)),
    Entry("exams:attempt-answer", method="POST", json=True, data={"position": 1, "answer": "A", "client_time": 5},
          kwargs=lambda org: {"pk": _attempt(org, org.people["agent"]).pk}, expect=expect(NOT_FOUND, agent=OK)),
    Entry("exams:attempt-submit", method="POST", kwargs=lambda org: {"pk": _attempt(org, org.people["agent"]).pk},
          expect=expect(NOT_FOUND, agent=OK)),
    # the agent's own attempt: the agent, their supervisor and the managers
    Entry("exams:attempt-detail", label="own team",
          kwargs=lambda org: {"pk": _attempt(org, org.people["agent"], submitted=True).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)),
    # an agent of another team: not the supervisor's, not the agent's
    Entry("exams:attempt-detail", label="other team",
          kwargs=lambda org: {"pk": _attempt(org, org.outsider, submitted=True).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)),
]


# ---------------------------------------------------------------- practical exams, composite grade, feedback


def _assessment(org):
    import datetime
    from decimal import Decimal

    from servicecoach.exams import services

    rubric = services.rubric_save(actor=None, rubric=None, title="实操评分表", items=services.rubric_items_from_text(
        "open | 使用标准开场白 | 10 | 优=10 完整; 良=7 基本; 差=3 未使用\nsolve | 正确查询并告知进度 | 20 |"))
    services.scenario_card_save(actor=None, card=None, key="fault", title="产品故障且情绪激动", situation="客户来电称产品故障",
                                customer_role="情绪激动的客户", expected_handling="安抚\n查询", tags=[], active=True)
    return services.assessment_save(
        actor=None, assessment=None, people=[org.people["agent"], org.outsider], units=[],
        assessors=[org.people["trainer"], org.people["supervisor"]], title="新员工考核", held_on=datetime.date(2026, 11, 20),
        theory_exam=None, rubric=rubric, card_tags=[], margin_share=Decimal("0.20"), weight_theory=Decimal("0.30"),
        weight_practical=Decimal("0.50"), weight_overall=Decimal("0.20"), rounding="none",
    )


def _candidate(org, person_key="agent"):
    person = org.people["agent"] if person_key == "agent" else org.outsider
    return {"pk": _assessment(org).candidates.get(person=person).pk}


ENTRIES += [
    Entry("exams:card-list", expect=only(*MANAGERS)),
    Entry("exams:card-create", expect=only(*MANAGERS)),
    Entry("exams:card-update", kwargs=lambda org: {"pk": _assessment(org) and _card_pk()}, expect=only(*MANAGERS)),
    Entry("exams:rubric-list", expect=only(*MANAGERS)),
    Entry("exams:rubric-create", expect=only(*MANAGERS)),
    Entry("exams:rubric-update", kwargs=lambda org: {"pk": _assessment(org).rubric_id}, expect=only(*MANAGERS)),
    Entry("exams:assessment-list", expect=only(*MANAGERS)),
    Entry("exams:assessment-create", expect=only(*MANAGERS)),
    Entry("exams:assessment-update", kwargs=lambda org: {"pk": _assessment(org).pk}, expect=only(*MANAGERS)),
    Entry("exams:assessment-results", expect=only(*MANAGERS, "supervisor")),
    Entry("exams:feedback-list", expect=only(*MANAGERS)),
    # managers, and the supervisor as one of the panel; everyone else: 404
    Entry("exams:assessment-detail", kwargs=lambda org: {"pk": _assessment(org).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK)),
    Entry("exams:assessment-compute", method="POST", kwargs=lambda org: {"pk": _assessment(org).pk},
          expect=only(*MANAGERS)),
    Entry("exams:assessment-release", method="POST", data={"release": "1"},
          kwargs=lambda org: {"pk": _assessment(org).pk}, expect=only(*MANAGERS)),
    Entry("exams:assessment-report", kwargs=lambda org: {"pk": _assessment(org).pk}, expect=only(*MANAGERS)),
    Entry("exams:assessment-report-pdf", kwargs=lambda org: {"pk": _assessment(org).pk},
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, trainer=OK)),
    Entry("exams:assessment-report-excel", kwargs=lambda org: {"pk": _assessment(org).pk}, expect=only(*MANAGERS)),
    # the agent's own result (a waiting page until release), their supervisor (also on the panel), managers
    Entry("exams:candidate-detail", label="own", kwargs=_candidate,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)),
    # another team's candidate: the supervisor sees them only as an assessor of the panel; the agent never
    Entry("exams:candidate-detail", label="other team", kwargs=lambda org: _candidate(org, "outsider"),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK)),
    Entry("exams:candidate-draw", method="POST", kwargs=_candidate, expect=only(*MANAGERS)),
    Entry("exams:candidate-conduct", method="POST", data={}, kwargs=_candidate, expect=only(*MANAGERS)),
    Entry("exams:candidate-feedback", method="POST", data={}, kwargs=_candidate, expect=only(*MANAGERS)),
    # only the panel's assessors score
    Entry("exams:candidate-score", kwargs=_candidate, expect=expect(NOT_FOUND, trainer=OK, supervisor=OK)),
]


def _card_pk() -> int:
    from servicecoach.exams.models import ScenarioCard

    return ScenarioCard.objects.get(key="fault").pk


# ---------------------------------------------------------------- REST API

ENTRIES += [
    Entry("api:exam-list", expect=signed_in()),
    Entry("api:exam-detail", kwargs=lambda org: {"pk": _exam(org).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, agent=OK)),
    Entry("api:exam-attempt-list", expect=signed_in()),
    Entry("api:exam-attempt-detail", label="own team",
          kwargs=lambda org: {"pk": _attempt(org, org.people["agent"]).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)),
    Entry("api:exam-attempt-detail", label="other team", kwargs=lambda org: {"pk": _attempt(org, org.outsider).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)),
    # only the candidate saves answers to their attempt
    Entry("api:exam-attempt-answer", method="POST", json=True, data={"position": 1, "answer": "A", "client_time": 3},
          kwargs=lambda org: {"pk": _attempt(org, org.people["agent"]).pk}, expect=expect(NOT_FOUND, agent=OK)),
]


# ---------------------------------------------------------------- candidates from a training programme


def _programme_exam(org):
    """An exam whose only candidates are the participants of a training programme (the agent)."""
    import datetime
    from datetime import timedelta

    from django.utils import timezone

    from servicecoach.exams import services
    from servicecoach.exams.models import Exam
    from servicecoach.programmes import services as programmes

    exam = Exam.objects.filter(title="培训项目考试").first()
    if exam is not None:  # kwargs may be computed twice for one entry
        return exam
    programme = programmes.programme_create(
        actor=None, title="权限培训项目", kind="new_hire", start_date=datetime.date(2026, 11, 16),
        end_date=datetime.date(2026, 11, 18), participants=[org.people["agent"]])
    q1, q2 = _question(org)
    paper = services.paper_save(actor=None, paper=None, title="项目试卷", kind="fixed", fixed=[(q1, None), (q2, None)])
    now = timezone.now()
    return services.exam_save(
        actor=None, exam=None, people=[], units=[], programmes=[programme], title="培训项目考试", paper=paper,
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_minutes=60,
        attempts_allowed=1, shuffle_questions=False, shuffle_options=False, layout="one_page",
        mc_policy="all_or_nothing", pass_percent=60,
    )


ENTRIES += [
    # the programme's participant is a candidate like one named in person; nobody else may start or see it
    Entry("exams:exam-detail", label="programme candidates", kwargs=lambda org: {"pk": _programme_exam(org).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, agent=OK)),
    Entry("exams:exam-start", label="programme candidates", method="POST",
          kwargs=lambda org: {"pk": _programme_exam(org).pk}, expect=expect(NOT_FOUND, agent=OK)),
    Entry("api:exam-detail", label="programme candidates", kwargs=lambda org: {"pk": _programme_exam(org).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, agent=OK)),
]

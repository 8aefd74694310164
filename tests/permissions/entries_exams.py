"""Assessment pages: question bank, papers, exams, taking an exam, marking, results.

Managers (admin, training manager, trainer) run the bank, papers and exams; a candidate sees only their
own attempts (another's: 404); a supervisor sees the attempts of their team (another team's: 404)."""

from __future__ import annotations

from tests.permissions.matrix import NOT_FOUND, OK, Entry, expect, only, signed_in

MANAGERS = ("admin", "training_manager", "trainer")


def _question(org):
    from servicecoach.exams import services
    from servicecoach.exams.engine.questions import KeyPoint, Option, ShortAnswer, SingleChoice

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

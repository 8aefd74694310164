"""Programmes and classroom sessions, notices.

Sample objects: a programme owned by the training manager whose session is given by the trainer; the
"team A" session has the agent as participant (the supervisor looks after team A), the "team B" session the
outsider. Training staff see everything; the trainer manages their sessions; a participant sees their session,
its materials and gives feedback; a supervisor sees their people's sessions (read only). Out of scope: 404.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in, staff_only

from servicecoach.org import calendar
from servicecoach.programmes import services
from servicecoach.programmes.models import Notice, SessionMaterial


def _programme(org):
    start = calendar.add_working_days(timezone.localdate(), 10)
    return services.programme_create(actor=None, title="Sample programme", kind="new_hire", start_date=start,
                                     end_date=calendar.add_working_days(start, 20),
                                     owner=org.people["training_manager"], participants=[org.people["agent"]])


def _session(org, participant=None):
    programme = _programme(org)
    return services.session_schedule(
        actor=None, programme=programme, title="Sample session", trainer=org.people["trainer"],
        start_date=programme.start_date, end_date=programme.start_date, day_start=time(9), day_end=time(17),
        venue="Room 1", capacity=5, participants=[(participant or org.people["agent"], "new_hire")])


def _team_a(org):
    return {"pk": _session(org).pk}


def _material(org):
    session = _session(org)
    name = "programmes/matrix-sample.txt"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"sample material"))
    material = SessionMaterial.objects.create(session=session, title="Sample", file=name)
    return {"pk": session.pk, "material_pk": material.pk}


def _notice(org):
    session = _session(org)
    notice = Notice.objects.create(recipient=org.people["agent"], session=session, subject="Sample", body="Body")
    return {"pk": notice.pk}


def _equipment(org):
    session = _session(org)
    return {"pk": session.pk, "check_pk": session.equipment.first().pk}


# Who sees the team A session, and who manages it.
SEES = expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)
MANAGES = expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=FORBIDDEN, agent=FORBIDDEN)
# Staff-only actions are refused by role before the object is looked up.
STAFF = staff_only()

ENTRIES = [
    Entry("programmes:programme-list", expect=signed_in()),
    Entry("programmes:programme-create", expect=STAFF),
    Entry("programmes:programme-create", label="invalid", method="POST", data={}, expect=STAFF),
    Entry("programmes:programme-detail", kwargs=lambda org: {"pk": _session(org).programme_id}, expect=SEES),
    Entry("programmes:programme-update", kwargs=lambda org: {"pk": _programme(org).pk}, expect=STAFF),
    Entry("programmes:session-list", expect=signed_in()),
    Entry("programmes:session-create", kwargs=lambda org: {"programme_pk": _programme(org).pk}, expect=STAFF),
    Entry("programmes:session-create", label="invalid", method="POST", data={},
          kwargs=lambda org: {"programme_pk": _programme(org).pk}, expect=STAFF),
    Entry("programmes:session-detail", label="team A", kwargs=_team_a, expect=SEES),
    Entry("programmes:session-detail", label="team B", kwargs=lambda org: {"pk": _session(org, org.outsider).pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)),
    Entry("programmes:session-update", kwargs=_team_a, expect=STAFF),
    Entry("programmes:session-send-notice", method="POST", kwargs=_team_a, expect=STAFF),
    Entry("programmes:session-short-notice", method="POST", data={}, kwargs=_team_a, expect=STAFF),
    Entry("programmes:session-cancel", method="POST", data={}, kwargs=_team_a, expect=STAFF),
    Entry("programmes:session-agenda", kwargs=_team_a, expect=MANAGES),
    Entry("programmes:equipment-toggle", method="POST", kwargs=_equipment, expect=MANAGES),
    Entry("programmes:material-upload", method="POST", data={}, kwargs=_team_a, expect=MANAGES),
    # Materials: participants, the trainer and staff; a supervisor sees the session but not its files.
    Entry("programmes:material-download", kwargs=_material,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, agent=OK)),
    Entry("programmes:session-attendance", kwargs=_team_a, expect=MANAGES),
    Entry("programmes:participation-note-add", method="POST", data={}, kwargs=_team_a, expect=MANAGES),
    # Daily feedback is given by participants only.
    Entry("programmes:session-feedback", kwargs=_team_a,
          expect=expect(NOT_FOUND, admin=FORBIDDEN, training_manager=FORBIDDEN, trainer=FORBIDDEN,
                        supervisor=FORBIDDEN, agent=OK)),
    Entry("programmes:session-feedback-summary", kwargs=_team_a, expect=MANAGES),
    # The day's sign-in code is shown by the trainer; participants sign in with it.
    Entry("programmes:session-code", kwargs=_team_a, expect=MANAGES),
    Entry("programmes:session-sign-in", kwargs=_team_a,
          expect=expect(NOT_FOUND, admin=FORBIDDEN, training_manager=FORBIDDEN, trainer=FORBIDDEN,
                        supervisor=FORBIDDEN, agent=OK)),
    # Notices are personal.
    Entry("programmes:notice-list", expect=signed_in()),
    Entry("programmes:notice-detail", kwargs=_notice, expect=expect(NOT_FOUND, agent=OK)),
    Entry("programmes:notice-read", method="POST", kwargs=_notice, expect=expect(NOT_FOUND, agent=OK)),
]


# ------------------------------------------------------------------------------------------- onboarding
# The agent (team A) is on a plan and mentored by the mentor; the outsider (team B) is on a plan without a mentor.


def _template(org):
    return services.onboarding_template_save(actor=None, name="Sample template", description="",
                                             text="week 1: Learn the tools\n- task: Read the handbook")


def _certified_mentor(org):
    cert = services.certification_request(actor=None, person=org.people["mentor"],
                                          criteria_met=list(services.MENTOR_CRITERIA))
    services.certification_decide(actor=org.users["training_manager"], certification=cert, approve=True)
    return org.people["mentor"]


def _mentoring(org):
    today = timezone.localdate()
    return services.mentor_assign(actor=None, mentor=_certified_mentor(org), mentee=org.people["agent"],
                                  start_date=today, probation_end=today + timedelta(days=365))


def _plan(org, person=None, mentored=True):
    if mentored:
        _mentoring(org)
    return services.onboarding_start(actor=None, template=_template(org), person=person or org.people["agent"],
                                     start_date=timezone.localdate())


def _task(org):
    plan = _plan(org)
    return {"pk": plan.pk, "task_pk": plan.goals.first().tasks.first().pk}


def _survey(org):
    survey = services.survey_create(actor=None, title="Sample survey", unit=org.units["team_a"], skills=["Refunds"],
                                    closes_on=timezone.localdate())
    return {"pk": survey.pk}


TEMPLATE_READERS = ("admin", "training_manager", "trainer", "mentor", "supervisor")
# The agent's plan: staff, the agent, their supervisor and their mentor.
PLAN_SEERS = expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK, mentor=OK)
MENTORING_SEERS = PLAN_SEERS
# Writing a mentoring log: staff and the mentor; the mentee and the supervisor only read.
MENTORING_WRITERS = expect(NOT_FOUND, admin=OK, training_manager=OK, mentor=OK, agent=FORBIDDEN,
                           supervisor=FORBIDDEN)

ENTRIES += [
    Entry("programmes:template-list", expect=only(*TEMPLATE_READERS)),
    Entry("programmes:template-create", expect=STAFF),
    Entry("programmes:template-create", label="invalid", method="POST", data={}, expect=STAFF),
    Entry("programmes:template-detail", kwargs=lambda org: {"pk": _template(org).pk}, expect=only(*TEMPLATE_READERS)),
    Entry("programmes:template-update", kwargs=lambda org: {"pk": _template(org).pk}, expect=STAFF),
    Entry("programmes:plan-start", kwargs=lambda org: {"pk": _template(org).pk}, expect=STAFF),
    Entry("programmes:plan-start", label="invalid", method="POST", data={},
          kwargs=lambda org: {"pk": _template(org).pk}, expect=STAFF),
    Entry("programmes:plan-list", expect=signed_in()),
    Entry("programmes:plan-list", label="behind", path="/programmes/onboarding/?behind=1", expect=signed_in()),
    Entry("programmes:plan-detail", label="mentored agent", kwargs=lambda org: {"pk": _plan(org).pk},
          expect=PLAN_SEERS),
    Entry("programmes:plan-detail", label="other team", expect=expect(NOT_FOUND, admin=OK, training_manager=OK),
          kwargs=lambda org: {"pk": _plan(org, org.outsider, mentored=False).pk}),
    Entry("programmes:task-tick", method="POST", data={}, kwargs=_task, expect=MENTORING_WRITERS | {"agent": OK}),
    # Mentoring.
    Entry("programmes:mentor-list", expect=STAFF),
    Entry("programmes:mentor-me", expect=signed_in()),
    Entry("programmes:mentor-detail", kwargs=lambda org: {"pk": _mentoring(org).mentor_id},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, mentor=OK)),
    Entry("programmes:certification-list", expect=STAFF),
    Entry("programmes:certification-list", label="invalid", method="POST", data={}, expect=STAFF),
    Entry("programmes:certification-decide", method="POST", data={}, expect=STAFF,
          kwargs=lambda org: {"pk": services.certification_request(actor=None, person=org.teammate,
                                                                   criteria_met=[]).pk}),
    Entry("programmes:assignment-create", expect=STAFF),
    Entry("programmes:assignment-create", label="invalid", method="POST", data={}, expect=STAFF),
    Entry("programmes:assignment-detail", kwargs=lambda org: {"pk": _mentoring(org).pk}, expect=MENTORING_SEERS),
    Entry("programmes:one-on-one-add", method="POST", data={}, kwargs=lambda org: {"pk": _mentoring(org).pk},
          expect=MENTORING_WRITERS),
    Entry("programmes:shadowing-add", method="POST", data={}, kwargs=lambda org: {"pk": _mentoring(org).pk},
          expect=MENTORING_WRITERS),
    Entry("programmes:assignment-end", method="POST", kwargs=lambda org: {"pk": _mentoring(org).pk}, expect=STAFF),
    # Needs analysis: a survey of team A is answered by its people and its supervisor; the report is for staff.
    Entry("programmes:survey-list", expect=signed_in()),
    Entry("programmes:survey-create", expect=STAFF),
    Entry("programmes:survey-create", label="invalid", method="POST", data={}, expect=STAFF),
    Entry("programmes:survey-detail", kwargs=_survey,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("programmes:survey-seed", kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-qa-input", method="POST", kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-exam-input", method="POST", kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-path", kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-path", label="invalid", method="POST", data={}, kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-session", kwargs=_survey, expect=STAFF),
    Entry("programmes:survey-session", label="invalid", method="POST", data={}, kwargs=_survey, expect=STAFF),
]

# Training records: a learner sees their own, a supervisor their people's, a mentor their mentees', staff all.
ENTRIES += [
    Entry("programmes:record-me", expect=signed_in()),
    Entry("programmes:record", label="mentored agent", expect=PLAN_SEERS,
          kwargs=lambda org: {"pk": _mentoring(org).mentee_id}),
    Entry("programmes:record", label="other team", kwargs=lambda org: {"pk": org.outsider.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
    Entry("programmes:record-export", expect=PLAN_SEERS, kwargs=lambda org: {"pk": _mentoring(org).mentee_id}),
]

# REST API: read-only programmes and sessions scoped like the pages; notices personal.
ENTRIES += [
    Entry("api:programme-list", expect=signed_in()),
    Entry("api:programme-detail", kwargs=lambda org: {"pk": _session(org).programme_id}, expect=SEES),
    Entry("api:classroom-session-list", expect=signed_in()),
    Entry("api:classroom-session-detail", kwargs=_team_a, expect=SEES),
    Entry("api:notice-list", expect=signed_in()),
    Entry("api:notice-detail", kwargs=_notice, expect=expect(NOT_FOUND, agent=OK)),
    Entry("api:notice-read", method="POST", kwargs=_notice, expect=expect(NOT_FOUND, agent=OK)),
]

# Group exercises and coaching tasks are recorded by whoever manages the session.


def _coaching(org):
    session = _session(org)
    coaching = services.coaching_task_assign(actor=None, session=session, person=org.people["agent"], reason="r",
                                             task="t", due_on=session.start_date)
    return {"pk": session.pk, "task_pk": coaching.pk}


ENTRIES += [
    Entry("programmes:group-exercise-add", method="POST", data={}, kwargs=_team_a, expect=MANAGES),
    Entry("programmes:coaching-task-add", method="POST", data={}, kwargs=_team_a, expect=MANAGES),
    Entry("programmes:coaching-task-done", method="POST", data={}, kwargs=_coaching, expect=MANAGES),
]

"""Training (courses and learning) pages under /learning/ and its API.

Sample objects (built per entry by ``learning``): a published course with a micro-lesson (its quiz and a
PDF), a draft course, and a path holding the published course on which the agent is enrolled. So:
course managers (admin, training manager, trainer) see everything; supervisors and mentors published
courses; the agent the courses of their path; the QA reviewer (enrolled on nothing) no course at all (404).
Reports and re-read follow-up: course managers and supervisors (their units' people).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

from servicecoach.training import services
from servicecoach.training.models import LessonFile, ModuleTopic, QuestionKind

MANAGERS = ("admin", "training_manager", "trainer")
REPORTERS = (*MANAGERS, "supervisor")
SAMPLE_FILE = "training/permission-matrix/sample.pdf"


def learning(org) -> SimpleNamespace:
    cached = getattr(org, "_learning", None)
    if cached is not None:
        return cached
    course = services.course_create(actor=None, code="SMP-C1", title="Sample course")
    module = services.module_create(actor=None, course=course, title="Etiquette", topic=ModuleTopic.ETIQUETTE)
    lesson = services.lesson_create(actor=None, module=module, title="Greeting", body="Hello", minutes=15,
                                    is_micro=True)
    services.quiz_question_add(actor=None, lesson=lesson, kind=QuestionKind.TRUE_FALSE, text="Smile?",
                               choices=[("", True)])
    services.course_set_published(actor=None, course=course, published=True)
    if not default_storage.exists(SAMPLE_FILE):
        default_storage.save(SAMPLE_FILE, ContentFile(b"%PDF-1.4 sample"))
    item = LessonFile.objects.create(lesson=lesson, kind="pdf", title="Sample", file=SAMPLE_FILE,
                                     content_type="application/pdf", size=15)
    draft = services.course_create(actor=None, code="SMP-C2", title="Draft course")
    draft_module = services.module_create(actor=None, course=draft, title="CRM", topic=ModuleTopic.TOOLS)
    draft_lesson = services.lesson_create(actor=None, module=draft_module, title="Tickets", body="x", minutes=5)
    path = services.path_create(actor=None, code="SMP-P1", title="Sample path")
    services.path_course_add(actor=None, path=path, course=course)
    other_path = services.path_create(actor=None, code="SMP-P2", title="Other path")
    enrolment = services.enrol(actor=None, person=org.people["agent"], path=path)[0]
    services.lesson_open(person=org.people["agent"], lesson=lesson)
    org._learning = SimpleNamespace(course=course, lesson=lesson, file=item, draft=draft, draft_lesson=draft_lesson,
                                    module=module, path=path, other_path=other_path, enrolment=enrolment)
    return org._learning


def pk_of(name: str):
    return lambda org: {"pk": getattr(learning(org), name).pk}


SEES_PUBLISHED = expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, mentor=OK, agent=OK)
SEES_DRAFT = expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)
MANAGERS_ONLY = only(*MANAGERS)
MISSING = 999_999

ENTRIES = [
    # A learner's own pages: everyone signed in has them (an agent's shows only their own learning).
    Entry("training:my-learning", expect=signed_in()),
    Entry("training:daily-quiz", expect=signed_in()),
    Entry("training:daily-quiz", label="submit nothing", method="POST", data={}, expect=signed_in()),
    Entry("training:course-list", expect=signed_in()),
    # One learner's learning: those who may follow them (trainers follow everyone); 404 for anyone else.
    Entry("training:person-learning", label="the agent", kwargs=lambda org: {"pk": org.people["agent"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)),
    Entry("training:person-learning", label="other team", kwargs=lambda org: {"pk": org.outsider.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)),
    Entry("training:path-list", expect=signed_in()),
    # Courses and lessons, scoped.
    Entry("training:course-detail", label="published", kwargs=pk_of("course"), expect=SEES_PUBLISHED),
    Entry("training:course-detail", label="draft", kwargs=pk_of("draft"), expect=SEES_DRAFT),
    Entry("training:lesson-detail", label="published", kwargs=pk_of("lesson"), expect=SEES_PUBLISHED),
    Entry("training:lesson-detail", label="draft", kwargs=pk_of("draft_lesson"), expect=SEES_DRAFT),
    Entry("training:lesson-read", method="POST", kwargs=pk_of("lesson"), expect=SEES_PUBLISHED),
    Entry("training:lesson-read", label="draft", method="POST", kwargs=pk_of("draft_lesson"), expect=SEES_DRAFT),
    Entry("training:lesson-quiz", kwargs=pk_of("lesson"), expect=SEES_PUBLISHED),
    Entry("training:lesson-quiz", label="submit nothing", method="POST", data={}, kwargs=pk_of("lesson"),
          expect=SEES_PUBLISHED),
    Entry("training:lesson-file", kwargs=pk_of("file"), expect=SEES_PUBLISHED),
    # Writing courses: course managers only.
    Entry("training:course-create", expect=MANAGERS_ONLY),
    Entry("training:course-create", label="invalid", method="POST", data={}, expect=MANAGERS_ONLY),
    Entry("training:course-update", kwargs=pk_of("course"), expect=MANAGERS_ONLY),
    Entry("training:course-publish", method="POST", data={"published": "1"}, kwargs=pk_of("course"),
          expect=MANAGERS_ONLY),
    Entry("training:module-create", kwargs=pk_of("course"), expect=MANAGERS_ONLY),
    Entry("training:module-create", label="invalid", method="POST", data={}, kwargs=pk_of("course"),
          expect=MANAGERS_ONLY),
    Entry("training:lesson-create", kwargs=pk_of("module"), expect=MANAGERS_ONLY),
    Entry("training:module-update", kwargs=pk_of("module"), expect=MANAGERS_ONLY),
    Entry("training:module-update", label="invalid", method="POST", data={}, kwargs=pk_of("module"),
          expect=MANAGERS_ONLY),
    # refused for everyone allowed: the module still has a lesson, the lesson has a learner's progress
    Entry("training:module-move", method="POST", data={"direction": "down"}, kwargs=pk_of("module"),
          expect=MANAGERS_ONLY),
    Entry("training:lesson-move", method="POST", data={"direction": "up"}, kwargs=pk_of("lesson"),
          expect=MANAGERS_ONLY),
    Entry("training:module-delete", method="POST", kwargs=pk_of("module"), expect=MANAGERS_ONLY),
    Entry("training:lesson-delete", method="POST", kwargs=pk_of("lesson"), expect=MANAGERS_ONLY),
    Entry("training:lesson-update", kwargs=pk_of("lesson"), expect=MANAGERS_ONLY),
    Entry("training:lesson-update", label="invalid", method="POST", data={}, kwargs=pk_of("lesson"),
          expect=MANAGERS_ONLY),
    Entry("training:lesson-bank", kwargs=pk_of("lesson"), expect=MANAGERS_ONLY),
    Entry("training:lesson-bank", label="nothing ticked", method="POST", data={}, kwargs=pk_of("lesson"),
          expect=MANAGERS_ONLY),
    Entry("training:lesson-question-add", method="POST", data={}, kwargs=pk_of("lesson"), expect=MANAGERS_ONLY),
    Entry("training:lesson-question-delete", method="POST",
          kwargs=lambda org: {"pk": learning(org).lesson.pk, "question_pk": MISSING},
          expect=expect(FORBIDDEN, admin=NOT_FOUND, training_manager=NOT_FOUND, trainer=NOT_FOUND)),
    Entry("training:lesson-file-upload", method="POST", data={}, kwargs=pk_of("lesson"), expect=MANAGERS_ONLY),
    Entry("training:lesson-file-delete", method="POST", kwargs={"pk": MISSING},
          expect=expect(FORBIDDEN, admin=NOT_FOUND, training_manager=NOT_FOUND, trainer=NOT_FOUND)),
    # Paths: managers, supervisors and mentors see them all; a learner only those they are enrolled on.
    Entry("training:path-detail", label="agent enrolled", kwargs=pk_of("path"),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, mentor=OK, agent=OK)),
    Entry("training:path-detail", label="nobody enrolled", kwargs=pk_of("other_path"),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, mentor=OK)),
    Entry("training:path-create", expect=MANAGERS_ONLY),
    Entry("training:path-create", label="invalid", method="POST", data={}, expect=MANAGERS_ONLY),
    Entry("training:path-update", kwargs=pk_of("path"), expect=MANAGERS_ONLY),
    Entry("training:path-update", label="invalid", method="POST", data={}, kwargs=pk_of("path"),
          expect=MANAGERS_ONLY),
    Entry("training:path-course-add", method="POST", data={}, kwargs=pk_of("path"), expect=MANAGERS_ONLY),
    Entry("training:path-enrol", method="POST", data={}, kwargs=pk_of("path"), expect=MANAGERS_ONLY),
    # Managers' views: course managers and supervisors (for their units).
    Entry("training:report", expect=only(*REPORTERS)),
    Entry("training:report-export", expect=only(*REPORTERS)),
    Entry("training:reread-list", expect=only(*REPORTERS)),
    Entry("training:lesson-rereads", kwargs=pk_of("lesson"), expect=only(*REPORTERS)),
    Entry("training:lesson-rereads", label="draft", kwargs=pk_of("draft_lesson"),
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, trainer=OK, supervisor=NOT_FOUND)),
    # API (read-only): the same scopes; enrolments of the learners the user may follow (trainers: everyone).
    Entry("api:training-course-list", expect=signed_in()),
    Entry("api:training-course-detail", label="published", kwargs=pk_of("course"), expect=SEES_PUBLISHED),
    Entry("api:training-course-detail", label="draft", kwargs=pk_of("draft"), expect=SEES_DRAFT),
    Entry("api:training-enrolment-list", expect=signed_in()),
    Entry("api:training-enrolment-list", label="overdue only", path="/api/v1/training/enrolments/?overdue=true",
          expect=signed_in()),
    Entry("api:training-enrolment-detail", label="the agent's", kwargs=pk_of("enrolment"),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK, supervisor=OK, agent=OK)),
    Entry("api:training-my-learning", expect=signed_in()),
]

"""Courses and learning: courses of modules and lessons, lesson quizzes, learning paths, enrolments,
progress, the daily quiz, and re-read tasks when a lesson changes materially.

The shape is described for training managers in docs/training.md. Rules live in training.services.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import Level, OrgUnit, Person, Role

MICRO_LESSON_MINUTES = (15, 20)


class ModuleKind(models.TextChoices):
    GENERAL = "general", _("General")
    SPECIALIST = "specialist", _("Specialist")


class ModuleTopic(models.TextChoices):
    # general
    CULTURE = "culture", _("Company culture")
    ETIQUETTE = "etiquette", _("Service etiquette")
    DATA_SECURITY = "data_security", _("Data security and privacy")
    # specialist
    PRODUCT = "product", _("Product knowledge")
    PROCESS = "process", _("Service process")
    SCRIPTS = "scripts", _("Script standards")
    TOOLS = "tools", _("Tools (CRM, ticketing)")


TOPIC_KIND = {
    ModuleTopic.CULTURE: ModuleKind.GENERAL,
    ModuleTopic.ETIQUETTE: ModuleKind.GENERAL,
    ModuleTopic.DATA_SECURITY: ModuleKind.GENERAL,
    ModuleTopic.PRODUCT: ModuleKind.SPECIALIST,
    ModuleTopic.PROCESS: ModuleKind.SPECIALIST,
    ModuleTopic.SCRIPTS: ModuleKind.SPECIALIST,
    ModuleTopic.TOOLS: ModuleKind.SPECIALIST,
}


class Course(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ModuleKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=ModuleTopic.choices)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["course", "position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """A lesson of a module. ``body`` is sanitised HTML (training.sanitise); ``version`` goes up with each
    saved change; ``standard_code`` names the service standard the lesson teaches, if any."""

    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    body = models.TextField(_("content"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)
    is_micro = models.BooleanField(_("micro-lesson"), default=False)
    standard_code = models.CharField(_("service standard"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["module__course", "module__position", "module_id", "position", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title


class LessonVersion(models.Model):
    """One saved version of a lesson's content; ``material_change`` versions send re-read tasks."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    material_change = models.BooleanField(_("material change"), default=False)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(Person, verbose_name=_("saved by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["lesson", "-number"]
        verbose_name = _("lesson version")
        verbose_name_plural = _("lesson versions")
        constraints = [models.UniqueConstraint(fields=["lesson", "number"], name="unique_lesson_version")]

    def __str__(self) -> str:
        return f"{self.lesson_id} v{self.number}"


class AttachmentKind(models.TextChoices):
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF")
    SLIDES = "slides", _("Slides")


class LessonFile(models.Model):
    """A video, PDF or slide deck of a lesson, kept in Django's default storage and served only through
    training.views.lesson_file, which checks that the viewer may see the lesson."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="training/lessons/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["lesson", "id"]
        verbose_name = _("lesson file")
        verbose_name_plural = _("lesson files")

    def __str__(self) -> str:
        return self.title


class Quiz(models.Model):
    """A lesson's own short quiz (until the question bank of the exams app is used instead)."""

    lesson = models.OneToOneField(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="quiz")
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return str(self.lesson)


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # the key of the question-bank question (exams app) this one was copied from, if any
    bank_key = models.CharField(_("question bank key"), max_length=64, blank=True)

    class Meta:
        ordering = ["quiz", "position", "id"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text[:80]


class QuizChoice(models.Model):
    question = models.ForeignKey(QuizQuestion, verbose_name=_("question"), on_delete=models.CASCADE,
                                 related_name="choices")
    text = models.CharField(_("answer"), max_length=300)
    correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")

    def __str__(self) -> str:
        return self.text


class QuizAttempt(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="attempts")
    lesson_version = models.PositiveIntegerField(_("lesson version"))
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self) -> str:
        return f"{self.person_id} {self.quiz_id} {self.score}%"


class ProgressStatus(models.TextChoices):
    STARTED = "started", _("Started")
    READ = "read", _("Read, quiz to pass")
    COMPLETED = "completed", _("Completed")


class LessonProgress(models.Model):
    """Where one person stands with one lesson. Completed = read, and its quiz (if any) passed."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(_("status"), max_length=10, choices=ProgressStatus.choices,
                              default=ProgressStatus.STARTED)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_version = models.PositiveIntegerField(_("version completed"), null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(_("best score (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["person", "lesson"], name="unique_lesson_progress")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.lesson_id} {self.status}"


class LearningPath(models.Model):
    """Ordered courses for a role and level. ``auto_enrol``: people who join (or are given the role) with
    the matching role, level and unit are enrolled without anyone asking."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units"), blank=True, related_name="+",
                                   help_text=_("Automatic enrolment only for people in these units (and below)."))
    auto_enrol = models.BooleanField(_("enrol automatically on joining"), default=False)
    due_days = models.PositiveSmallIntegerField(_("days to complete"), default=30)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self) -> str:
        return self.title


class PathCourse(models.Model):
    """A course at its place in a path; it stays locked until its prerequisites are completed."""

    path = models.ForeignKey(LearningPath, verbose_name=_("learning path"), on_delete=models.CASCADE,
                             related_name="steps")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    due_days = models.PositiveSmallIntegerField(_("due (days after enrolment)"), null=True, blank=True)
    prerequisites = models.ManyToManyField(Course, verbose_name=_("prerequisites"), blank=True, related_name="+")

    class Meta:
        ordering = ["path", "position", "id"]
        verbose_name = _("course of a path")
        verbose_name_plural = _("courses of a path")
        constraints = [models.UniqueConstraint(fields=["path", "course"], name="unique_course_per_path")]

    def __str__(self) -> str:
        return f"{self.path_id} #{self.position} {self.course_id}"


class EnrolmentSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    UNIT = "unit", _("By unit")
    AUTO = "auto", _("On joining")


class Enrolment(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="enrolments")
    path = models.ForeignKey(LearningPath, verbose_name=_("learning path"), on_delete=models.CASCADE,
                             related_name="enrolments")
    source = models.CharField(_("enrolled"), max_length=10, choices=EnrolmentSource.choices)
    enrolled_on = models.DateField(_("enrolled on"))
    due_on = models.DateField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["person", "path"], name="unique_enrolment")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.path_id}"


class RereadTask(models.Model):
    """After a material change of a lesson someone had completed: read it again and pass its quiz again."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="reread_tasks")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE,
                               related_name="reread_tasks")
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("re-read task")
        verbose_name_plural = _("re-read tasks")
        constraints = [models.UniqueConstraint(fields=["person", "lesson", "version"], name="unique_reread")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.lesson_id} v{self.version}"


class DailyQuiz(models.Model):
    """A learner's quiz of the day: questions drawn from lessons studied in the last days, fixed at first
    opening (the draw is deterministic per learner and day)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="daily_quizzes")
    day = models.DateField(_("day"))
    question_ids = models.JSONField(default=list)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily quiz")
        verbose_name_plural = _("daily quizzes")
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="unique_daily_quiz")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"

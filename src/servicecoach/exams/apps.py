from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "servicecoach.exams"
    label = "exams"
    verbose_name = _("Assessment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.exams import selectors
        from servicecoach.org.models import Role

        managers = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER})
        register_nav(
            NavItem(_("My exams"), "exams:my-exams", frozenset(), section=Section.ASSESSMENT, order=10),
            NavItem(_("Exams"), "exams:exam-list", managers, section=Section.ASSESSMENT, order=20),
            NavItem(_("Question bank"), "exams:question-list", managers, section=Section.ASSESSMENT, order=30),
            NavItem(_("Papers"), "exams:paper-list", managers, section=Section.ASSESSMENT, order=40),
            NavItem(_("Marking queue"), "exams:marking-queue", managers, section=Section.ASSESSMENT, order=50),
            NavItem(_("Exam results"), "exams:result-list", managers | {Role.SUPERVISOR},
                    section=Section.ASSESSMENT, order=60),
            NavItem(_("Assessments"), "exams:assessment-list", managers, section=Section.ASSESSMENT, order=70),
            NavItem(_("Feedback due"), "exams:feedback-list", managers, section=Section.ASSESSMENT, order=80),
            NavItem(_("Assessment results"), "exams:assessment-results", managers | {Role.SUPERVISOR},
                    section=Section.ASSESSMENT, order=90),
        )
        register_panel(HomePanel(key="exams_candidate", title=_("My exams"), template="exams/panels/candidate.html",
                                 roles=frozenset({Role.AGENT}), data=selectors.home_candidate, order=25))
        register_panel(HomePanel(key="exams_manager", title=_("Assessment work"), template="exams/panels/manager.html",
                                 roles=managers, data=selectors.home_manager, order=26))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "servicecoach.training"
    label = "training"
    verbose_name = _("Training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.org.models import Person, Role, RoleAssignment
        from servicecoach.training import receivers, selectors

        post_save.connect(receivers.person_saved, sender=Person, dispatch_uid="training-auto-enrol-person")
        post_save.connect(receivers.role_saved, sender=RoleAssignment, dispatch_uid="training-auto-enrol-role")

        managers = frozenset(selectors.COURSE_MANAGERS)
        register_nav(
            NavItem(_("My learning"), "training:my-learning", frozenset(), Section.LEARNING, 10),
            NavItem(_("Daily quiz"), "training:daily-quiz", frozenset(), Section.LEARNING, 12),
            NavItem(_("Courses"), "training:course-list", frozenset(), Section.LEARNING, 14),
            NavItem(_("Learning paths"), "training:path-list", managers | frozenset(selectors.PUBLISHED_READERS),
                    Section.LEARNING, 16),
            NavItem(_("Learning report"), "training:report", frozenset(selectors.REPORT_VIEWERS),
                    Section.LEARNING, 18),
            NavItem(_("Re-reads after changes"), "training:reread-list", frozenset(selectors.REPORT_VIEWERS),
                    Section.LEARNING, 19),
        )
        register_panel(HomePanel(
            key="training_my_learning", title=_("My learning"), template="training/panels/my_learning.html",
            roles=frozenset({Role.AGENT, Role.MENTOR, Role.QA_REVIEWER, Role.SUPERVISOR}),
            data=selectors.home_my_learning, order=15,
        ))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "servicecoach.programmes"
    label = "programmes"
    verbose_name = _("Training programmes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.org.models import Role
        from servicecoach.programmes import selectors

        everyone = frozenset()
        planners = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER, Role.SUPERVISOR})
        register_nav(
            NavItem(_("Programmes"), "programmes:programme-list", planners, Section.LEARNING, 50),
            NavItem(_("Classroom sessions"), "programmes:session-list", everyone, Section.LEARNING, 51),
            NavItem(_("Onboarding"), "programmes:plan-list", frozenset(
                {Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER, Role.MENTOR, Role.SUPERVISOR}), Section.LEARNING, 52),
            NavItem(_("Onboarding templates"), "programmes:template-list", frozenset(
                {Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER}), Section.LEARNING, 53),
            NavItem(_("Mentors"), "programmes:mentor-list", frozenset({Role.ADMIN, Role.TRAINING_MANAGER}),
                    Section.LEARNING, 54),
            NavItem(_("My mentees"), "programmes:mentor-me", frozenset({Role.MENTOR}), Section.LEARNING, 55),
            NavItem(_("Training needs"), "programmes:survey-list", frozenset(
                {Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR}), Section.LEARNING, 56),
            NavItem(_("My onboarding"), "programmes:plan-list", frozenset({Role.AGENT}), Section.LEARNING, 57),
            NavItem(_("My training record"), "programmes:record-me", everyone, Section.LEARNING, 58),
            NavItem(_("My notices"), "programmes:notice-list", everyone, Section.LEARNING, 59),
        )
        register_panel(HomePanel(
            key="programmes_notices", title=_("My notices"), template="programmes/panels/notices.html",
            roles=everyone, data=selectors.home_notices, order=15,
        ))
        register_panel(HomePanel(
            key="programmes_trainer_sessions", title=_("My sessions"),
            template="programmes/panels/trainer_sessions.html", roles=frozenset({Role.TRAINER}),
            data=selectors.home_trainer_sessions, order=25,
        ))
        register_panel(HomePanel(
            key="programmes_falling_behind", title=_("New hires falling behind"),
            template="programmes/panels/falling_behind.html",
            roles=frozenset({Role.TRAINING_MANAGER, Role.MENTOR, Role.SUPERVISOR}),
            data=selectors.home_falling_behind, order=35,
        ))

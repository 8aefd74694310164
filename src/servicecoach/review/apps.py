from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "servicecoach.review"
    label = "review"
    verbose_name = _("Quality review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.org.models import Role
        from servicecoach.review import selectors

        qa = frozenset({Role.ADMIN, Role.QA_REVIEWER})
        loop = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER, Role.SUPERVISOR, Role.AGENT})
        register_nav(
            NavItem(_("My review queue"), "review:queue", qa, Section.QUALITY, 30),
            NavItem(_("Reviews"), "review:review-list", loop, Section.QUALITY, 40),
            NavItem(_("Appeals"), "review:appeal-list", loop, Section.QUALITY, 50),
            NavItem(_("Calibration"), "review:calibration-list",
                    frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER}), Section.QUALITY, 60),
            NavItem(_("Sampling plans"), "review:plan-list", frozenset({Role.ADMIN, Role.QA_REVIEWER}),
                    Section.QUALITY, 70),
            NavItem(_("QA dashboard"), "review:dashboard",
                    frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER, Role.SUPERVISOR}),
                    Section.QUALITY, 80),
            NavItem(_("Case library"), "review:case-list", frozenset(), Section.KNOWLEDGE, 90),
        )
        from servicecoach.quality.services import on_changes_settled, on_conversations_changed
        from servicecoach.review.summary import flush_pending
        from servicecoach.review.summary import on_conversations_changed as summary_refresh

        on_conversations_changed(summary_refresh)  # the dashboard's summary follows every scoring and import
        on_changes_settled(flush_pending)  # ... once per job for background jobs
        try:
            from servicecoach.quality.extensions import register_conversation_panel
        except ImportError:  # the quality pages are not there: nothing to extend
            pass
        else:
            register_conversation_panel("review/includes/conversation_reviews.html", order=10)
        register_panel(HomePanel(
            key="review_queue", title=_("My review queue"), template="review/panels/queue.html", roles=qa,
            data=selectors.home_review_queue, order=25,
        ))

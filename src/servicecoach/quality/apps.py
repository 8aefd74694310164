from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "servicecoach.quality"
    label = "quality"
    verbose_name = _("Quality inspection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.org.models import Role
        from servicecoach.quality.selectors import QA_STAFF, QA_VIEWERS

        staff = frozenset(QA_STAFF)
        register_nav(
            NavItem(_("Conversations"), "quality:conversation-list", frozenset(QA_VIEWERS), Section.QUALITY, 10),
            NavItem(_("Upload conversations"), "quality:upload", staff, Section.QUALITY, 20),
            NavItem(_("Jobs"), "quality:job-list", staff, Section.QUALITY, 30),
            NavItem(_("Rule sets and scorecards"), "quality:version-list", staff, Section.QUALITY, 40),
            NavItem(_("Unmapped agents"), "quality:unmapped-list", frozenset({Role.ADMIN}), Section.QUALITY, 50),
        )

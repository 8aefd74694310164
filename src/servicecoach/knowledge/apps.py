from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "servicecoach.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.knowledge import selectors
        from servicecoach.org.models import Role

        everyone = frozenset()
        editors = frozenset(selectors.EDITOR_ROLES)
        managers = frozenset(selectors.MANAGER_ROLES)
        register_nav(
            NavItem(_("Search the knowledge base"), "knowledge:search", everyone, Section.KNOWLEDGE, 10),
            NavItem(_("My acknowledgements"), "knowledge:my-acknowledgements", everyone, Section.KNOWLEDGE, 20),
            NavItem(_("Articles"), "knowledge:article-list", editors, Section.KNOWLEDGE, 30),
            NavItem(_("Past review date"), "knowledge:review-list", editors, Section.KNOWLEDGE, 40),
            NavItem(_("Acknowledgement reports"), "knowledge:acknowledgement-requests",
                    frozenset(selectors.REPORT_ROLES), Section.KNOWLEDGE, 50),
            NavItem(_("Questions without a good answer"), "knowledge:unanswered", editors, Section.KNOWLEDGE, 60),
            NavItem(_("Import and export"), "knowledge:import", managers, Section.KNOWLEDGE, 70),
            NavItem(_("Search settings"), "knowledge:search-settings", frozenset({Role.ADMIN}), Section.KNOWLEDGE, 80),
        )
        register_panel(HomePanel(key="knowledge_tasks", title=_("Knowledge base"),
                                 template="knowledge/panels/tasks.html", roles=everyone,
                                 data=selectors.home_panel, order=60))

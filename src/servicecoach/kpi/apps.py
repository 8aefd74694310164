from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "servicecoach.kpi"
    label = "kpi"
    verbose_name = _("Performance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicecoach.core.home import HomePanel, register_panel
        from servicecoach.core.navigation import NavItem, Section, register_nav
        from servicecoach.kpi import selectors
        from servicecoach.kpi.quality_source import SOURCE
        from servicecoach.kpi.sources import register_source
        from servicecoach.org.models import Role

        register_source(SOURCE)  # consultation volume from the quality app's stored conversations
        staff = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR})
        register_nav(
            NavItem(_("My scorecards"), "kpi:my-results", frozenset({Role.AGENT}), Section.PERFORMANCE, 10),
            NavItem(_("Performance months"), "kpi:period-list", staff, Section.PERFORMANCE, 20),
            NavItem(_("Team analysis"), "kpi:analysis", staff, Section.PERFORMANCE, 30),
            NavItem(_("Scorecard templates"), "kpi:template-list", staff, Section.PERFORMANCE, 40),
        )
        register_panel(HomePanel(
            key="kpi_my_scorecard", title=_("My latest scorecard"), template="kpi/panels/my_scorecard.html",
            roles=frozenset({Role.AGENT}), data=selectors.home_my_scorecard, order=40,
        ))
        register_panel(HomePanel(
            key="kpi_months", title=_("Performance months"), template="kpi/panels/months.html",
            roles=frozenset({Role.SUPERVISOR}), data=selectors.home_supervisor_months, order=45,
        ))

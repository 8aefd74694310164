from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "servicecoach.programmes"
    label = "programmes"
    verbose_name = _("Training programmes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Menu entries (core.navigation.register_nav) and home panels (core.home.register_panel) go here.
        pass

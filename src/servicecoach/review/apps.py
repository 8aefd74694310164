from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "servicecoach.review"
    label = "review"
    verbose_name = _("Quality review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Menu entries (core.navigation.register_nav) and home panels (core.home.register_panel) go here.
        pass

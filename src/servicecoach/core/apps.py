from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicecoach.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # The Celery application becomes the current one, so every app's shared_task goes to its broker.
        from servicecoach import worker  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicecoach.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # The Celery application becomes the current one, so every app's shared_task goes to its broker.
        # The admin site's login page words a throttled login like ours (core.accounts).
        from django.contrib import admin

        from servicecoach import worker  # noqa: F401
        from servicecoach.core.accounts import AdminLoginForm

        admin.site.login_form = AdminLoginForm

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "servicecoach.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth import signals

        from servicecoach.org import receivers

        signals.user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="org-audit-login")
        signals.user_logged_out.connect(receivers.on_user_logged_out, dispatch_uid="org-audit-logout")
        signals.user_login_failed.connect(receivers.on_user_login_failed, dispatch_uid="org-audit-login-failed")

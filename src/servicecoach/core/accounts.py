"""Logging in and getting back in: the login form that says when a locked login may try again, and the
password-reset-by-e-mail flow (Django's views with our forms, templates and audit entries).

The throttle itself lives in the organisation app (``org.backends``, ``org.services.login_failure_record``):
these forms only read its verdict to word the answer.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_variables

from servicecoach.org import selectors, services
from servicecoach.org.models import AuditAction, AuditEntry, User
from servicecoach.org.receivers import client_ip


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its error in our catalogue: Django 5.2 changed that message's wording and its
    Chinese catalogue has not followed, so the error would show in English on a Chinese page."""

    def get_error_message(self):
        return ngettext(
            "This password is too short: it must contain at least %(min_length)d character.",
            "This password is too short: it must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, also tied to the address the link was sent to: Django's only cover the login's
    own e-mail, and ours may come from the person record. An administrator who changes it (say, the old
    mailbox was lost) thereby voids every link sent before."""

    def _make_hash_value(self, user, timestamp):
        return super()._make_hash_value(user, timestamp) + selectors.login_email(user).casefold()


reset_tokens = ResetTokenGenerator()


def reset_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def lock_message(lock: selectors.LoginLock) -> str:
    """What a refused login is told: plainly locked, and when to try again. Worded the same whether or
    not the username exists."""
    until = timezone.localtime(lock.until)
    when = formats.date_format(until, "H:i") if until.date() == timezone.localdate() else \
        formats.date_format(until, "Y-m-d H:i")
    if lock.kind == "ip":
        return _("Too many failed logins from your network address: logins from it are refused for now. "
                 "Try again after %(time)s.") % {"time": when}
    return _("Too many failed logins: this account is temporarily locked. Try again after %(time)s, "
             "or ask an administrator to unlock it.") % {"time": when}


class ThrottleAwareLoginMixin:
    """For Django's login forms: a login refused by the throttle says so instead of "wrong password"."""

    @sensitive_variables()
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                # The failure has been counted by now, so the attempt that starts a lock already says so.
                lock = selectors.login_lock(username=username, ip=client_ip(self.request))
                if lock is not None:
                    raise ValidationError(lock_message(lock), code="locked")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(ThrottleAwareLoginMixin, AuthenticationForm):
    """The login page's form."""


class AdminLoginForm(ThrottleAwareLoginMixin, AdminAuthenticationForm):
    """The admin site's login form (it also refuses non-staff logins)."""


def _reset_requests(**conditions) -> int:
    """Reset requests audited within the last hour that match ``conditions``."""
    since = timezone.now() - timedelta(hours=1)
    return AuditEntry.objects.filter(action=AuditAction.PASSWORD_RESET_REQUEST, at__gte=since, **conditions).count()


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for an e-mail address and sends a reset link to every active login with a usable password that
    uses it (the login's e-mail, else its person record's). The page that follows is the same whether or
    not any login matched; the audit log records which.

    So that the form cannot be used to flood a mailbox, a login gets at most
    ``PASSWORD_RESET_MAILS_PER_HOUR`` links an hour and one address may ask at most
    ``PASSWORD_RESET_REQUESTS_PER_IP_HOUR`` times an hour; beyond that nothing is sent (the page is the
    same) and the audit entry says ``throttled``."""

    def get_users(self, email):
        self.throttled: list[User] = []
        if self._ip and _reset_requests(ip=self._ip) >= settings.PASSWORD_RESET_REQUESTS_PER_IP_HOUR:
            self.ip_throttled = True
            return
        for user in selectors.users_for_password_reset(email):
            if _reset_requests(object_type="org.user", object_id=str(user.pk),
                               changes__sent=True) >= settings.PASSWORD_RESET_MAILS_PER_HOUR:
                self.throttled.append(user)
            else:
                yield user

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        user = context["user"]
        context["valid_hours"] = reset_link_hours()
        context["person"] = selectors.person_for_user(user)
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          selectors.login_email(user), html_email_template_name)
        self.sent_to.append(user)

    def save(self, *, request=None, **kwargs):
        self.sent_to: list[User] = []
        self.throttled = []
        self.ip_throttled = False
        email, ip = self.cleaned_data["email"], client_ip(request)
        self._ip = ip
        super().save(request=request, **kwargs)
        for user in self.sent_to:
            services.audit_record(actor=None, actor_name=email, action=AuditAction.PASSWORD_RESET_REQUEST,
                                  obj=user, changes={"email": email, "sent": True}, ip=ip)
        for user in self.throttled:
            services.audit_record(actor=None, actor_name=email, action=AuditAction.PASSWORD_RESET_REQUEST,
                                  obj=user, changes={"email": email, "sent": False, "throttled": True}, ip=ip)
        if not self.sent_to and not self.throttled:
            changes = {"email": email, "sent": False}
            if self.ip_throttled:
                changes["throttled"] = True
            services.audit_record(actor=None, actor_name=email, action=AuditAction.PASSWORD_RESET_REQUEST,
                                  object_type="org.user", object_repr=email, changes=changes, ip=ip)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "core/password_reset_form.html"
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    token_generator = reset_tokens
    title = gettext_lazy("Forgot your password?")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_hours=reset_link_hours(), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link's page: a new password (checked by AUTH_PASSWORD_VALIDATORS). Once it is set the link no
    longer works (the token depends on the password), the reset is audited and the login's failed-login
    count is cleared: whoever reads the mailbox has proved the account is theirs."""

    template_name = "core/password_reset_confirm.html"
    token_generator = reset_tokens
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        services.audit_record(actor=user, action=AuditAction.PASSWORD_RESET, obj=user,
                              changes={"via": "e-mail link"}, ip=client_ip(self.request))
        services.login_failures_clear(username=user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"

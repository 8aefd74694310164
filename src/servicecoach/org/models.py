"""Organisation: units in a tree, people, their roles, calendar overrides and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person behind it (employee number, unit, roles) is ``user.person``."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    SHOP = "shop", _("Shop")
    SITE = "site", _("Site")


class OrgUnit(models.Model):
    """A node of the organisation tree: company → department → team (a team may be a shop or a site).

    ``path`` is a materialised path of primary keys (``/1/4/9/``) so that a subtree is one
    indexed ``startswith`` query however deep the tree is. ``org.services`` keeps it right.
    """

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.TEAM)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    SENIOR = "senior", _("Senior")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class Person(models.Model):
    employee_no = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    user = models.OneToOneField(
        User, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.JUNIOR)
    status = models.CharField(_("status"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    TRAINING_MANAGER = "training_manager", _("Training manager")
    TRAINER = "trainer", _("Trainer")
    MENTOR = "mentor", _("Mentor")
    QA_REVIEWER = "qa_reviewer", _("QA reviewer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


class RoleAssignment(models.Model):
    """One role held by one person. ``unit`` is the scope of a supervisor's (or other unit-bound)
    role; when empty the person's own unit is the scope."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("scope unit"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["person", "role", "unit"], name="unique_role_per_person_unit"),
            models.UniqueConstraint(
                fields=["person", "role"], condition=models.Q(unit__isnull=True), name="unique_unscoped_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}: {self.get_role_display()}"


class CalendarOverride(models.Model):
    """An administrator's word on one date, above the statutory calendar: a company holiday,
    an extra working day, or a year the chinesecalendar package does not cover yet."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date}: {_('working day') if self.is_working_day else _('day off')}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    ROLE_GRANT = "role_grant", _("Role granted")
    ROLE_REVOKE = "role_revoke", _("Role revoked")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    IMPORT = "import", _("Import")
    PASSWORD_RESET_REQUEST = "reset_request", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password reset")
    LOGIN_LOCKED = "login_locked", _("Login locked")
    LOGIN_UNLOCKED = "login_unlocked", _("Login unlocked")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(models.Model):
    """Append-only: written by ``org.services.audit_record`` and never changed or deleted by the app."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class LoginFailure(models.Model):
    """One failed login, kept only while it can still count towards a lock (see ``org.selectors.login_lock``).

    In the database, not in a process's memory, so that every server process (gunicorn worker) counts the
    same failures. ``username`` is stored case-folded; an administrator's unlock or a successful login
    blanks the username (the row may still count for its address), and rows older than the window plus
    the lockout are deleted on each write."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["username", "at"], name="org_loginfail_user_at"),
            models.Index(fields=["ip", "at"], name="org_loginfail_ip_at"),
            models.Index(fields=["at"], name="org_loginfail_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip or ''}"

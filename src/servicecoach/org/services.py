"""Changing the organisation. Every change is written to the audit log in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone

from servicecoach.org import selectors
from servicecoach.org.models import (
    AuditAction,
    AuditEntry,
    CalendarOverride,
    LoginFailure,
    OrgUnit,
    Person,
    PersonStatus,
    Role,
    RoleAssignment,
    User,
)

PERSON_FIELDS = ("name", "unit", "hire_date", "level", "status", "left_on", "email", "phone")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry to the audit log."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    if actor is not None and not actor.is_authenticated:
        actor = None
    if actor is not None and not actor_name:
        person = getattr(actor, "person", None)
        actor_name = person.name if person is not None else actor.get_username()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor_name[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
        ip=ip,
    )


def _diff(instance: Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    changed = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_jsonable(old), _jsonable(new)]
    return changed


def _set_path(unit: OrgUnit) -> None:
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0


@transaction.atomic
def unit_create(*, actor: User | None, name: str, code: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    unit = OrgUnit(name=name, code=code, kind=kind, parent=parent)
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=unit,
                 changes={"name": name, "code": code, "kind": kind, "parent": parent})
    return unit


@transaction.atomic
def unit_update(*, actor: User | None, unit: OrgUnit, **fields: Any) -> OrgUnit:
    """Change a unit's name, code, kind, parent or active flag; moving it moves its subtree."""
    allowed = {"name", "code", "kind", "parent", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unit_update: unknown fields {sorted(unknown)}")
    new_parent = fields.get("parent", unit.parent)
    if "parent" in fields and new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": "A unit cannot be moved under itself or one of its own units."})
    changes = _diff(unit, fields)
    if not changes:
        return unit
    old_path = unit.path
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path"])
    if "parent" in changes:
        _set_path(unit)
        for descendant in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
            descendant.parent = unit if descendant.parent_id == unit.pk else descendant.parent
            _set_path(descendant)
            descendant.save(update_fields=["path", "depth"])
    unit.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=unit, changes=changes)
    return unit


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    employee_no: str,
    name: str,
    unit: OrgUnit,
    hire_date: date | None = None,
    level: str = "junior",
    status: str = PersonStatus.ACTIVE,
    email: str = "",
    phone: str = "",
    left_on: date | None = None,
) -> Person:
    person = Person(employee_no=employee_no, name=name, unit=unit, hire_date=hire_date, level=level,
                    status=status, email=email, phone=phone, left_on=left_on)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person,
                 changes={f: getattr(person, f) for f in PERSON_FIELDS})
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, **fields: Any) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"person_update: unknown fields {sorted(unknown)}")
    changes = _diff(person, fields)
    if not changes:
        return person
    for name, value in fields.items():
        setattr(person, name, value)
    if person.status == PersonStatus.LEFT and person.left_on is None:
        person.left_on = timezone.localdate()
        changes["left_on"] = [None, person.left_on.isoformat()]
    if person.status == PersonStatus.LEFT and person.user_id and person.user.is_active:
        person.user.is_active = False
        person.user.save(update_fields=["is_active"])
    person.full_clean()
    person.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=person, changes=changes)
    return person


@transaction.atomic
def person_set_login(*, actor: User | None, person: Person, username: str, password: str | None) -> User:
    """Give a person a login (or rename it / reset its password). ``password=None``: unusable
    password, an administrator sets one later."""
    taken = User.objects.filter(username=username)
    if person.user_id:
        taken = taken.exclude(pk=person.user_id)
    if taken.exists():
        raise ValidationError({"username": f"The login name {username!r} is already used by another login."})
    User.username_validator(username)
    user = person.user or User(username=username)
    user.username = username
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.is_active = person.status == PersonStatus.ACTIVE
    user.save()
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=person, changes={"login": username})
    return user


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}: expected one of {', '.join(Role.values)}."})


@transaction.atomic
def role_grant(*, actor: User | None, person: Person, role: str, unit: OrgUnit | None = None) -> RoleAssignment:
    _check_role(role)
    assignment, created = RoleAssignment.objects.get_or_create(person=person, role=role, unit=unit)
    if created:
        audit_record(actor=actor, action=AuditAction.ROLE_GRANT, obj=person,
                     changes={"role": role, "unit": unit})
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, person: Person, role: str, unit: OrgUnit | None = None) -> bool:
    deleted, _ = RoleAssignment.objects.filter(person=person, role=role, unit=unit).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.ROLE_REVOKE, obj=person,
                     changes={"role": role, "unit": unit})
    return bool(deleted)


@transaction.atomic
def unit_delete(*, actor: User | None, unit: OrgUnit) -> None:
    """Delete a unit. Refused (ProtectedError) while people or units still belong to it."""
    repr_, pk = str(unit), unit.pk
    snapshot = {"name": unit.name, "code": unit.code, "kind": unit.kind, "parent": unit.parent}
    unit.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type=OrgUnit._meta.label_lower,
                 object_id=str(pk), object_repr=repr_, changes=snapshot)


@transaction.atomic
def person_delete(*, actor: User | None, person: Person) -> None:
    """Delete a person record (their roles go with it; their login stays, deactivated).
    Usually a person who leaves is kept with status "left" instead."""
    repr_, pk = str(person), person.pk
    snapshot = {f: getattr(person, f) for f in PERSON_FIELDS}
    snapshot["employee_no"] = person.employee_no
    snapshot["roles"] = sorted(person.roles.values_list("role", flat=True))
    if person.user_id and person.user.is_active:
        person.user.is_active = False
        person.user.save(update_fields=["is_active"])
    person.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type=Person._meta.label_lower,
                 object_id=str(pk), object_repr=repr_, changes=snapshot)


@transaction.atomic
def person_link_login(*, actor: User | None, person: Person, user: User | None) -> Person:
    """Attach an existing login to a person (or detach it with ``user=None``)."""
    if person.user_id == (user.pk if user else None):
        return person
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError({"user": f"The login {user.get_username()!r} already belongs to another person."})
    old = person.user
    person.user = user
    person.save(update_fields=["user"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=person,
                 changes={"login": [old.get_username() if old else None, user.get_username() if user else None]})
    return person


# --- working-day calendar ------------------------------------------------------------------

def _calendar_changed() -> None:
    from servicecoach.org.calendar import calendar_invalidate

    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)


@transaction.atomic
def calendar_override_set(*, actor: User | None, date: date, is_working_day: bool, note: str = "") -> CalendarOverride:
    """Declare ``date`` a working day or a day off, above the statutory calendar."""
    existing = CalendarOverride.objects.filter(date=date).first()
    if existing is not None and existing.is_working_day == is_working_day and existing.note == note:
        return existing
    override = CalendarOverride(date=date, is_working_day=is_working_day, note=note)
    override.full_clean(validate_unique=False)
    if existing is not None:
        # Replaced rather than updated: the calendar cache notices a change by the highest id.
        CalendarOverride.objects.filter(pk=existing.pk).delete()
    override.save()
    changes = {"date": date, "is_working_day": is_working_day, "note": note}
    if existing is not None:
        changes = {k: [_jsonable(getattr(existing, k)), _jsonable(v)] for k, v in changes.items()
                   if getattr(existing, k) != v}
    audit_record(actor=actor, action=AuditAction.UPDATE if existing else AuditAction.CREATE, obj=override,
                 changes=changes)
    _calendar_changed()
    return override


@transaction.atomic
def calendar_override_delete(*, actor: User | None, date: date) -> bool:
    """Remove the override of ``date`` (the statute, or Monday–Friday, applies again)."""
    existing = CalendarOverride.objects.filter(date=date).first()
    if existing is None:
        return False
    repr_, pk = str(existing), existing.pk
    changes = {"date": date, "is_working_day": existing.is_working_day, "note": existing.note}
    existing.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type=CalendarOverride._meta.label_lower,
                 object_id=str(pk), object_repr=repr_, changes=changes)
    _calendar_changed()
    return True


@transaction.atomic
def user_set_admin_access(*, actor: User | None, user: User, staff: bool, superuser: bool = False) -> User:
    """Open (or close) the Django admin site to a login; ``superuser`` gives it every permission."""
    changes = _diff(user, {"is_staff": staff, "is_superuser": superuser})
    if not changes:
        return user
    user.is_staff, user.is_superuser = staff, superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changes)
    return user


# --- logins: throttling ---------------------------------------------------------------------


def _lock_audit(lock, *, ip: str | None, action: str, actor: User | None = None) -> None:
    if lock.kind == "username":
        user = User.objects.filter(username__iexact=lock.key).first()
        audit_record(actor=actor, action=action, object_type="org.user", object_id=str(user.pk) if user else "",
                     object_repr=lock.key, changes={"username": lock.key, "until": lock.until},
                     ip=ip)
    else:
        audit_record(actor=actor, action=action, object_repr=lock.key,
                     changes={"ip": lock.key, "until": lock.until}, ip=ip)


def login_failure_record(*, username: str | None, ip: str | None) -> selectors.LoginLock | None:
    """Count one failed login for the username and the address, unless a lock already in force refused
    it (such attempts do not stretch the lock). Returns the lock in force afterwards; a lock this failure
    starts is written to the audit log. Rows too old to count any more are deleted here."""
    now = timezone.now()
    key = selectors.login_key(username)
    before = selectors.login_lock(username=key, ip=ip, now=now)
    if before is not None:
        return before
    cutoff = now - selectors.login_failure_window() - selectors.login_lockout()
    with transaction.atomic():
        LoginFailure.objects.filter(models.Q(at__lt=cutoff) | models.Q(username="", ip=None)).delete()
        LoginFailure.objects.create(at=now, username=key, ip=ip)
        for lock in (selectors.username_lock(key, now=now), selectors.ip_lock(ip, now=now)):
            if lock is not None:
                _lock_audit(lock, ip=ip, action=AuditAction.LOGIN_LOCKED)
    return selectors.login_lock(username=key, ip=ip, now=now)


def login_failures_clear(*, username: str | None) -> None:
    """A successful login: the username's failures no longer count (they still count for their address)."""
    key = selectors.login_key(username)
    if key:
        LoginFailure.objects.filter(username=key).update(username="")


@transaction.atomic
def login_unlock(*, actor: User | None, kind: str, key: str, ip: str | None = None) -> bool:
    """An administrator lifts a lock: ``kind`` "username" (that login name) or "ip" (that address).
    Its failures stop counting for it at once. True when a lock was in force."""
    if kind == "username":
        key = selectors.login_key(key)
        lock = selectors.username_lock(key)
        failures = LoginFailure.objects.filter(username=key)
        cleared = {"username": ""}
    elif kind == "ip":
        lock = selectors.ip_lock(key)
        failures = LoginFailure.objects.filter(ip=key)
        cleared = {"ip": None}
    else:
        raise ValidationError({"kind": f"Unknown lock kind {kind!r}: expected username or ip."})
    if lock is None:
        return False
    failures.update(**cleared)
    _lock_audit(lock, ip=ip, action=AuditAction.LOGIN_UNLOCKED, actor=actor)
    return True

"""Reading the organisation, and the scoping helpers every view and API endpoint uses.

Scope rules (docs/permissions.md):
- administrators and training managers see every unit and person;
- a supervisor sees the units under the ones they supervise (their role's scope unit, else
  their own unit) and the people in them;
- everyone sees themselves; an agent sees only themselves.
Later domains add their own selectors (a trainer's courses, a mentor's mentees) on top of these.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from servicecoach.org.models import (
    AuditEntry,
    LoginFailure,
    OrgUnit,
    Person,
    PersonStatus,
    Role,
    RoleAssignment,
    User,
)

ALL_SEEING_ROLES = frozenset({Role.ADMIN, Role.TRAINING_MANAGER})


def person_for_user(user: User | None) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def user_roles(user: User | None) -> frozenset[str]:
    """The roles a login holds. A Django superuser counts as an administrator.

    Cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_servicecoach_roles", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    person = person_for_user(user)
    if person is not None and person.status == PersonStatus.ACTIVE:
        roles.update(RoleAssignment.objects.filter(person=person).values_list("role", flat=True))
    result = frozenset(str(r) for r in roles)
    user._servicecoach_roles = result
    return result


def user_has_role(user: User | None, *roles: str) -> bool:
    return bool(user_roles(user) & {str(r) for r in roles})


def unit_subtree(units: OrgUnit | Iterable[OrgUnit]) -> QuerySet[OrgUnit]:
    """The given units and every unit below them."""
    if isinstance(units, OrgUnit):
        units = [units]
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return OrgUnit.objects.filter(condition)


def supervised_units(user: User | None) -> QuerySet[OrgUnit]:
    """Top units a user supervises (not yet expanded to their subtrees)."""
    person = person_for_user(user)
    if person is None:
        return OrgUnit.objects.none()
    assignments = RoleAssignment.objects.filter(person=person, role=Role.SUPERVISOR)
    unit_ids = {a.unit_id or person.unit_id for a in assignments}
    return OrgUnit.objects.filter(pk__in=unit_ids)


def units_visible_to(user: User | None) -> QuerySet[OrgUnit]:
    roles = user_roles(user)
    if roles & ALL_SEEING_ROLES:
        return OrgUnit.objects.all()
    visible = OrgUnit.objects.none()
    if Role.SUPERVISOR in roles:
        visible = unit_subtree(list(supervised_units(user)))
    person = person_for_user(user)
    if person is not None:
        visible = OrgUnit.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=person.unit_id))
    return visible


def people_visible_to(user: User | None) -> QuerySet[Person]:
    """People whose records the user may see. Agents: only themselves."""
    roles = user_roles(user)
    people = Person.objects.select_related("unit", "user")
    if roles & ALL_SEEING_ROLES:
        return people
    condition = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        condition |= Q(unit__in=unit_subtree(list(supervised_units(user))))
    person = person_for_user(user)
    if person is not None:
        condition |= Q(pk=person.pk)
    return people.filter(condition)


def can_see_person(user: User | None, person: Person) -> bool:
    return people_visible_to(user).filter(pk=person.pk).exists()


def can_see_unit(user: User | None, unit: OrgUnit) -> bool:
    return units_visible_to(user).filter(pk=unit.pk).exists()


def unit_tree(units: QuerySet[OrgUnit] | None = None) -> list[OrgUnit]:
    """Units in tree order (by materialised path) with ``depth`` set, for indented lists."""
    return list((units if units is not None else OrgUnit.objects.all()).order_by("path"))


def person_list(
    *,
    user: User | None,
    unit: OrgUnit | None = None,
    role: str = "",
    level: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[Person]:
    """The people list of the web pages: scoped to the user, then filtered.

    ``unit`` includes the people of its sub-units; ``search`` matches name or employee number."""
    people = people_visible_to(user)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if role:
        people = people.filter(pk__in=RoleAssignment.objects.filter(role=role).values("person_id"))
    if level:
        people = people.filter(level=level)
    if status:
        people = people.filter(status=status)
    search = search.strip()
    if search:
        people = people.filter(Q(name__icontains=search) | Q(employee_no__icontains=search))
    return people.order_by("employee_no")


def unit_tree_with_counts(*, user: User | None) -> list[OrgUnit]:
    """Units visible to the user in tree order, each with ``people_count`` (active people directly in it)."""
    units = (
        units_visible_to(user)
        .annotate(people_count=Count("people", filter=Q(people__status=PersonStatus.ACTIVE)))
        .order_by("path")
    )
    return list(units)


def audit_entry_list(
    *,
    action: str = "",
    actor: User | None = None,
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, filtered; ``date_to`` is inclusive (local dates)."""
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor is not None:
        entries = entries.filter(actor=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if date_from is not None:
        entries = entries.filter(at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(at__date__lte=date_to)
    text = text.strip()
    if text:
        condition = Q(object_repr__icontains=text) | Q(actor_name__icontains=text) | Q(object_id=text)
        if _looks_like_ip(text):
            condition |= Q(ip=text)
        entries = entries.filter(condition)
    return entries.order_by("-at", "-id")


def audit_object_types() -> list[str]:
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def _looks_like_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def unit_ancestors(unit: OrgUnit, *, include_self: bool = False) -> list[OrgUnit]:
    """The units above ``unit``, from the top of the tree down (read off its materialised path)."""
    pks = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    if not include_self:
        pks = pks[:-1]
    return list(OrgUnit.objects.filter(pk__in=pks).order_by("depth"))


def person_role_assignments(person: Person) -> QuerySet[RoleAssignment]:
    """A person's roles with their scope units, in a stable order for display."""
    return RoleAssignment.objects.filter(person=person).select_related("unit").order_by("role")


# --- logins: throttling and password reset ------------------------------------------------


@dataclass(frozen=True)
class LoginLock:
    """A lock in force: ``kind`` "username" (that login name, from any address) or "ip" (that address,
    any login name), until ``until``."""

    kind: str
    key: str
    until: datetime
    person: Person | None = None


def login_key(username: str | None) -> str:
    """The name failures are counted under: what was typed, NFKC-normalised and case-folded, so that
    "Admin" and "admin" count together."""
    return unicodedata.normalize("NFKC", str(username or "")).strip().casefold()[:150]


def login_failure_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def login_lockout() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _locked_until(failures: QuerySet[LoginFailure], limit: int, now: datetime) -> datetime | None:
    """Locked when the last ``limit`` failures all fall within the window: until the last one plus the
    lockout. (Attempts refused by a lock are not stored, so the lock is not stretched by them.)"""
    if limit <= 0:
        return None
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit or times[0] - times[-1] > login_failure_window():
        return None
    until = times[0] + login_lockout()
    return until if until > now else None


def username_lock(username: str | None, *, now: datetime | None = None) -> LoginLock | None:
    key = login_key(username)
    if not key:
        return None
    until = _locked_until(LoginFailure.objects.filter(username=key), settings.LOGIN_FAILURES_PER_USERNAME,
                          now or timezone.now())
    return LoginLock("username", key, until) if until else None


def ip_lock(ip: str | None, *, now: datetime | None = None) -> LoginLock | None:
    if not ip:
        return None
    until = _locked_until(LoginFailure.objects.filter(ip=ip), settings.LOGIN_FAILURES_PER_IP, now or timezone.now())
    return LoginLock("ip", ip, until) if until else None


def login_lock(*, username: str | None, ip: str | None, now: datetime | None = None) -> LoginLock | None:
    """The lock that refuses a login with this username from this address, if any (the username's first)."""
    now = now or timezone.now()
    return username_lock(username, now=now) or ip_lock(ip, now=now)


def login_locks(*, now: datetime | None = None) -> list[LoginLock]:
    """Every lock in force: usernames (with the person whose login it is, if any), then addresses."""
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(at__gte=now - login_failure_window() - login_lockout())
    locks: list[LoginLock] = []
    names = (recent.exclude(username="").values("username").annotate(n=Count("id"))
             .filter(n__gte=settings.LOGIN_FAILURES_PER_USERNAME).values_list("username", flat=True))
    for name in sorted(names):
        lock = username_lock(name, now=now)
        if lock is not None:
            locks.append(lock)
    if locks:
        people = Person.objects.filter(user__isnull=False).select_related("user", "unit")
        wanted = Q()
        for lock in locks:
            wanted |= Q(user__username__iexact=lock.key)
        by_key = {login_key(p.user.username): p for p in people.filter(wanted)}
        locks = [LoginLock(lock.kind, lock.key, lock.until, by_key.get(lock.key)) for lock in locks]
    addresses = (recent.exclude(ip=None).values("ip").annotate(n=Count("id"))
                 .filter(n__gte=settings.LOGIN_FAILURES_PER_IP).values_list("ip", flat=True))
    for address in sorted(addresses):
        lock = ip_lock(address, now=now)
        if lock is not None:
            locks.append(lock)
    return locks


def login_email(user: User) -> str:
    """Where a login's mail goes: the login's own e-mail, else its person record's."""
    if user.email:
        return user.email
    person = person_for_user(user)
    return person.email if person is not None else ""


def users_for_password_reset(email: str) -> Iterator[User]:
    """Active logins with a usable password whose e-mail (the login's, else its person's) is ``email``,
    compared case-insensitively. Logins without an e-mail or without a usable password get nothing."""
    email = (email or "").strip()
    if not email:
        return
    candidates = (User.objects.filter(is_active=True)
                  .filter(Q(email__iexact=email) | Q(email="", person__email__iexact=email))
                  .select_related("person"))
    wanted = email.casefold()
    for user in candidates:
        if user.has_usable_password() and login_email(user).casefold() == wanted:
            yield user

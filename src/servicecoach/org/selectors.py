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
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q, QuerySet

from servicecoach.org.models import AuditEntry, OrgUnit, Person, PersonStatus, Role, RoleAssignment, User

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

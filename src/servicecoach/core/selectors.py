"""What the home page panels show. Each function reads only what the user may see (org.selectors)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from servicecoach.org import calendar
from servicecoach.org.models import (
    AuditEntry,
    Level,
    OrgUnit,
    Person,
    PersonStatus,
    Role,
    User,
)
from servicecoach.org.selectors import (
    people_visible_to,
    person_for_user,
    person_role_assignments,
    supervised_units,
    unit_ancestors,
    unit_subtree,
    user_roles,
)

RECENT_HIRE_DAYS = 90
# How far ahead the working-day panel looks, and the notice a classroom session needs.
CALENDAR_LOOKAHEAD_DAYS = 60
SESSION_NOTICE_WORKING_DAYS = 3


def home_admin_summary(user: User) -> dict[str, Any]:
    """Counts of the whole organisation and the latest audit entries (administrators only)."""
    return {
        "unit_count": OrgUnit.objects.filter(active=True).count(),
        "person_count": Person.objects.filter(status=PersonStatus.ACTIVE).count(),
        "left_count": Person.objects.filter(status=PersonStatus.LEFT).count(),
        "login_count": User.objects.filter(is_active=True).count(),
        "recent_audit": list(AuditEntry.objects.select_related("actor")[:8]),
    }


def home_training_overview(user: User) -> dict[str, Any]:
    """Active people by level and the recent hires who will need onboarding."""
    people = people_visible_to(user).filter(status=PersonStatus.ACTIVE)
    counts = dict(people.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    since = timezone.localdate() - timedelta(days=RECENT_HIRE_DAYS)
    return {
        "levels": [(label, counts.get(value, 0)) for value, label in Level.choices],
        "recent_hires": list(people.filter(hire_date__gte=since).order_by("-hire_date")[:10]),
        "recent_hire_days": RECENT_HIRE_DAYS,
    }


def home_supervisor_teams(user: User) -> dict[str, Any]:
    """The units a supervisor looks after (with their subtrees) and the people in them."""
    top_units = list(supervised_units(user))
    units = list(
        unit_subtree(top_units)
        .annotate(active_people=Count("people", filter=Q(people__status=PersonStatus.ACTIVE)))
        .order_by("path")
    )
    people = (
        people_visible_to(user)
        .filter(unit__in=[u.pk for u in units], status=PersonStatus.ACTIVE)
        .order_by("unit__path", "employee_no")
    )
    return {
        "units": units,
        "base_depth": min((u.depth for u in units), default=0),
        "people": list(people[:50]),
        "people_total": people.count(),
    }


def home_profile(user: User) -> dict[str, Any]:
    """The signed-in person's own record: unit, level, hire date, roles."""
    person = person_for_user(user)
    if person is None:
        return {"person": None, "roles": [Role(r).label for r in sorted(user_roles(user))]}
    return {
        "person": person,
        "unit_path": unit_ancestors(person.unit, include_self=True),
        "assignments": list(person_role_assignments(person)),
    }


def home_working_days(user: User) -> dict[str, Any]:
    """Today, the earliest start of a classroom session announced today (3 working days' notice),
    and the holidays and make-up workdays of the coming weeks: what people who plan training,
    reviews and coaching need to know. The same for everyone: nothing here is scoped."""
    today = timezone.localdate()
    lookahead = [today + timedelta(days=n) for n in range(CALENDAR_LOOKAHEAD_DAYS)]
    statuses = [calendar.calendar_status(d) for d in (today, lookahead[-1])]
    return {
        "today": statuses[0],
        "notice_days": SESSION_NOTICE_WORKING_DAYS,
        "earliest_session": calendar.add_working_days(today, SESSION_NOTICE_WORKING_DAYS),
        "unusual": calendar.unusual_days(today, CALENDAR_LOOKAHEAD_DAYS),
        "lookahead_days": CALENDAR_LOOKAHEAD_DAYS,
        "fallback": any(s["fallback"] for s in statuses),
    }

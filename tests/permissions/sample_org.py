"""A small organisation with one user per role, for the permission matrix and the API tests.

    Sample Company (company)
    ├── Service (department)
    │   ├── Team A (team)   supervisor (scope: Team A), agent, teammate (another agent)
    │   └── Team B (shop)   outsider (an agent of another team), mentor
    └── Training (department)   admin, training_manager, trainer, qa_reviewer

The supervisor sees Team A's people and not Team B's; the agent sees only themselves.
Built through ``org.services`` so that it is the same data the app would create.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from servicecoach.org import services
from servicecoach.org.models import CalendarOverride, OrgUnit, Person, Role, UnitKind, User

ROLE_HOME = {
    # role -> (unit key, employee number, name)
    "admin": ("training", "S001", "管理员 王静"),
    "training_manager": ("training", "S002", "培训经理 李娜"),
    "trainer": ("training", "S003", "培训师 张伟"),
    "mentor": ("team_b", "S004", "导师 刘洋"),
    "qa_reviewer": ("training", "S005", "质检员 陈晨"),
    "supervisor": ("team_a", "S006", "主管 杨帆"),
    "agent": ("team_a", "S007", "客服 赵敏"),
}


@dataclass
class SampleOrg:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)  # by role
    users: dict[str, User] = field(default_factory=dict)  # by role
    teammate: Person | None = None  # an agent in the supervisor's team
    outsider: Person | None = None  # an agent in another team

    @property
    def company(self) -> OrgUnit:
        return self.units["company"]


def build_sample_org(*, password: str | None = None) -> SampleOrg:
    """Create the sample organisation. Logins are named after their role ("agent", "qa_reviewer", ...);
    without ``password`` they cannot log in with a password (tests use ``client.force_login``)."""
    org = SampleOrg()
    company = services.unit_create(actor=None, name="Sample Company", code="SMP", kind=UnitKind.COMPANY)
    service = services.unit_create(actor=None, name="Service", code="SMP-SVC", kind=UnitKind.DEPARTMENT,
                                   parent=company)
    training = services.unit_create(actor=None, name="Training", code="SMP-TRN", kind=UnitKind.DEPARTMENT,
                                    parent=company)
    team_a = services.unit_create(actor=None, name="Team A", code="SMP-A", kind=UnitKind.TEAM, parent=service)
    team_b = services.unit_create(actor=None, name="Team B", code="SMP-B", kind=UnitKind.SHOP, parent=service)
    org.units = {"company": company, "service": service, "training": training, "team_a": team_a,
                 "team_b": team_b}

    for role, (unit_key, employee_no, name) in ROLE_HOME.items():
        person = services.person_create(actor=None, employee_no=employee_no, name=name, unit=org.units[unit_key],
                                        hire_date=datetime.date(2024, 3, 1))
        user = services.person_set_login(actor=None, person=person, username=role, password=password)
        scope = team_a if role == Role.SUPERVISOR else None
        services.role_grant(actor=None, person=person, role=role, unit=scope)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        org.people[role] = person
        org.users[role] = user

    org.teammate = services.person_create(actor=None, employee_no="S008", name="客服 孙丽", unit=team_a)
    services.role_grant(actor=None, person=org.teammate, role=Role.AGENT)
    org.outsider = services.person_create(actor=None, employee_no="S009", name="客服 周杰", unit=team_b)
    services.role_grant(actor=None, person=org.outsider, role=Role.AGENT)

    # One object of each kind the admin lists, so that every admin change page has something to open.
    CalendarOverride.objects.create(date=datetime.date(2030, 1, 2), is_working_day=False, note="sample")
    Group.objects.create(name="sample group")
    Token.objects.create(user=org.users["agent"])
    return org

"""The demo organisation: 华信优选电子商务有限公司, 2 departments, 5 teams (two of them shops),
40 people with every role, one login per role, and a few calendar overrides.

Loaded through the ordinary services (so the audit log shows it like any other change) and
idempotent: what exists already (matched by unit code, employee number, login name, override
date) is left as it is, so running it twice changes nothing, and a demo someone has edited keeps
their edits. See docs/demo.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from servicecoach.org import services
from servicecoach.org.models import CalendarOverride, OrgUnit, Person, Role, UnitKind, User

DEMO_PASSWORD = "demo1234"

# code, name, kind, parent code
UNITS: list[tuple[str, str, str, str | None]] = [
    ("HX", "华信优选电子商务有限公司", UnitKind.COMPANY, None),
    ("HX-CS", "客户服务部", UnitKind.DEPARTMENT, "HX"),
    ("HX-EC", "电商运营部", UnitKind.DEPARTMENT, "HX"),
    ("HX-CS-PRE", "售前咨询组", UnitKind.TEAM, "HX-CS"),
    ("HX-CS-AFT", "售后服务组", UnitKind.TEAM, "HX-CS"),
    ("HX-CS-CMP", "投诉处理组", UnitKind.TEAM, "HX-CS"),
    ("HX-EC-TM", "天猫旗舰店客服组", UnitKind.SHOP, "HX-EC"),
    ("HX-EC-JD", "京东自营店客服组", UnitKind.SHOP, "HX-EC"),
]


@dataclass(frozen=True)
class DemoPerson:
    employee_no: str
    name: str
    unit: str
    hire_date: date
    level: str
    roles: tuple[str, ...]
    login: str = ""  # the documented demo login of this person, if any
    scope: str | None = None  # unit a supervisor role covers (else their own unit)
    left_on: date | None = None
    email: str = ""
    phone: str = ""


JR, MID, SR = "junior", "intermediate", "senior"
A, SUP, MEN, TRN, QA, TM, ADM = (Role.AGENT, Role.SUPERVISOR, Role.MENTOR, Role.TRAINER, Role.QA_REVIEWER,
                                  Role.TRAINING_MANAGER, Role.ADMIN)


def _p(no, name, unit, hired, level, roles, **extra) -> DemoPerson:
    return DemoPerson(f"HX{no:04d}", name, unit, date.fromisoformat(hired), level, tuple(roles),
                      phone=f"1380571{no:04d}", **extra)


PEOPLE: list[DemoPerson] = [
    # Head office: administration, training and quality.
    _p(1, "周建国", "HX", "2018-04-02", SR, [ADM], login="admin", email="admin@huaxin-demo.cn"),
    _p(2, "林晓梅", "HX", "2019-03-11", SR, [TM], login="manager", email="lin.xiaomei@huaxin-demo.cn"),
    _p(3, "陈思远", "HX", "2020-07-06", SR, [TRN], login="trainer", email="chen.siyuan@huaxin-demo.cn"),
    _p(4, "赵雪", "HX", "2021-02-22", MID, [QA], login="qa", email="zhao.xue@huaxin-demo.cn"),
    _p(5, "马俊", "HX", "2020-10-12", SR, [TRN, QA]),
    _p(6, "许晴", "HX", "2022-05-16", MID, [QA]),
    # 客户服务部 and its teams.
    _p(7, "孙伟", "HX-CS", "2017-09-01", SR, [SUP]),
    _p(8, "黄磊", "HX-CS-PRE", "2019-06-03", SR, [SUP, MEN]),
    _p(9, "梁文博", "HX-CS-PRE", "2023-03-06", MID, [A]),
    _p(10, "韩雪", "HX-CS-PRE", "2024-02-26", JR, [A]),
    _p(11, "唐欣", "HX-CS-PRE", "2025-07-14", JR, [A]),
    _p(12, "冯晓东", "HX-CS-PRE", "2023-08-21", MID, [A], left_on=date(2026, 9, 15)),
    _p(13, "董丹", "HX-CS-PRE", "2022-11-07", SR, [A, MEN]),
    _p(14, "吴静", "HX-CS-AFT", "2018-12-10", SR, [SUP, MEN]),
    _p(15, "程亮", "HX-CS-AFT", "2023-05-08", MID, [A]),
    _p(16, "曹颖", "HX-CS-AFT", "2024-09-02", JR, [A]),
    _p(17, "袁梦", "HX-CS-AFT", "2025-03-17", JR, [A]),
    _p(18, "邓凯", "HX-CS-AFT", "2021-04-19", SR, [A]),
    _p(19, "彭晓燕", "HX-CS-AFT", "2024-06-11", MID, [A]),
    _p(20, "郑浩", "HX-CS-CMP", "2019-01-14", SR, [SUP]),
    _p(21, "蒋涛", "HX-CS-CMP", "2022-03-28", SR, [A, QA]),
    _p(22, "蔡雯", "HX-CS-CMP", "2023-10-09", MID, [A]),
    _p(23, "潘露", "HX-CS-CMP", "2025-05-06", JR, [A]),
    _p(24, "田甜", "HX-CS-CMP", "2024-12-02", JR, [A]),
    _p(25, "范志强", "HX-CS-CMP", "2021-08-16", SR, [A]),
    # 电商运营部 and its two shops.
    _p(26, "刘洋", "HX-EC-TM", "2019-05-20", SR, [SUP], login="supervisor", scope="HX-EC-TM",
       email="liu.yang@huaxin-demo.cn"),
    _p(27, "王丽娟", "HX-EC-TM", "2020-03-09", SR, [MEN, A], login="mentor", email="wang.lijuan@huaxin-demo.cn"),
    _p(28, "张婷", "HX-EC-TM", "2025-08-04", JR, [A], login="agent", email="zhang.ting@huaxin-demo.cn"),
    _p(29, "李娜", "HX-EC-TM", "2023-02-13", MID, [A]),
    _p(30, "杨帆", "HX-EC-TM", "2024-04-15", JR, [A], left_on=date(2026, 6, 30)),
    _p(31, "徐佳怡", "HX-EC-TM", "2024-10-21", JR, [A]),
    _p(32, "高子涵", "HX-EC-TM", "2022-07-25", MID, [A]),
    _p(33, "罗晨", "HX-EC-TM", "2025-11-03", JR, [A]),
    _p(34, "何敏", "HX-EC-JD", "2018-08-13", SR, [SUP]),
    _p(35, "郭欣然", "HX-EC-JD", "2023-06-05", MID, [A]),
    _p(36, "马丽", "HX-EC-JD", "2021-11-22", SR, [A, MEN]),
    _p(37, "胡宇航", "HX-EC-JD", "2024-03-18", JR, [A]),
    _p(38, "朱琳", "HX-EC-JD", "2025-02-24", JR, [A]),
    _p(39, "谢雨桐", "HX-EC-JD", "2022-09-13", MID, [A]),
    _p(40, "宋佳", "HX-EC-JD", "2025-09-15", JR, [A]),
]

# 2027 is beyond the statutory data of chinesecalendar 1.11: the company's own plan, until an
# administrator replaces it with the official one.
OVERRIDES: list[tuple[date, bool, str]] = [
    (date(2027, 1, 1), False, "元旦（公司安排）"),
    *[(date(2027, 2, d), False, "春节假期（公司安排）") for d in (8, 9, 10, 11, 12)],
    (date(2027, 2, 6), True, "春节调休上班（公司安排）"),
]


@dataclass
class DemoResult:
    units_created: int = 0
    people_created: int = 0
    logins_created: int = 0
    overrides_created: int = 0
    logins: list[dict[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.people_created or self.logins_created or self.overrides_created)


@transaction.atomic
def demo_load(*, actor: User | None = None) -> DemoResult:
    """Create whatever of the demo organisation does not exist yet."""
    result = DemoResult()
    units: dict[str, OrgUnit] = {}
    existing_units = {u.code: u for u in OrgUnit.objects.filter(code__in=[c for c, *_ in UNITS])}
    for code, name, kind, parent in UNITS:
        unit = existing_units.get(code)
        if unit is None:
            unit = services.unit_create(actor=actor, name=name, code=code, kind=kind,
                                        parent=units[parent] if parent else None)
            result.units_created += 1
        units[code] = unit

    existing_people = {p.employee_no: p for p in Person.objects.select_related("user")
                       .filter(employee_no__in=[d.employee_no for d in PEOPLE])}
    for demo in PEOPLE:
        person = existing_people.get(demo.employee_no)
        if person is None:
            person = services.person_create(
                actor=actor, employee_no=demo.employee_no, name=demo.name, unit=units[demo.unit],
                hire_date=demo.hire_date, level=demo.level, email=demo.email, phone=demo.phone,
            )
            for role in demo.roles:
                scope = units[demo.scope] if role == Role.SUPERVISOR and demo.scope else None
                services.role_grant(actor=actor, person=person, role=role, unit=scope)
            if demo.left_on:
                services.person_update(actor=actor, person=person, status="left", left_on=demo.left_on)
            result.people_created += 1
        if demo.login and person.user is None and not User.objects.filter(username=demo.login).exists():
            user = services.person_set_login(actor=actor, person=person, username=demo.login,
                                             password=DEMO_PASSWORD)
            if Role.ADMIN in demo.roles:
                services.user_set_admin_access(actor=actor, user=user, staff=True, superuser=True)
            result.logins_created += 1
        if demo.login:
            result.logins.append({"username": demo.login, "password": DEMO_PASSWORD, "name": demo.name,
                                  "roles": ", ".join(str(Role(r).label) for r in demo.roles),
                                  "unit": units[demo.unit].name})

    existing_dates = set(CalendarOverride.objects.filter(date__in=[d for d, *_ in OVERRIDES])
                         .values_list("date", flat=True))
    for day, working, note in OVERRIDES:
        if day not in existing_dates:
            services.calendar_override_set(actor=actor, date=day, is_working_day=working, note=note)
            result.overrides_created += 1
    return result

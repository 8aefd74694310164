"""Builders the apps' test fixtures share: the small organisation most tests stand on and a person
factory. Each app's conftest wraps them in its own fixtures (``org``, ``make_person``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from types import SimpleNamespace

from servicecoach.org import services
from servicecoach.org.models import OrgUnit, Person, Role, UnitKind

PASSWORD = "pw-12345"
_numbers = itertools.count(1)


def customer_service_org(**extra: tuple[str, str, str, str]) -> SimpleNamespace:
    """华信优选 (HQ) › 客户服务部 (CS) › 售前组 (CS-PRE), 售后组 (CS-AFT), plus ``extra`` units given as
    ``key=(name, code, kind, parent key)``, created in order (a parent must come first)."""
    units: dict[str, OrgUnit] = {}
    units["hq"] = services.unit_create(actor=None, name="华信优选", code="HQ", kind=UnitKind.COMPANY)
    units["cs"] = services.unit_create(actor=None, name="客户服务部", code="CS", kind=UnitKind.DEPARTMENT,
                                       parent=units["hq"])
    units["pre"] = services.unit_create(actor=None, name="售前组", code="CS-PRE", kind=UnitKind.TEAM, parent=units["cs"])
    units["aft"] = services.unit_create(actor=None, name="售后组", code="CS-AFT", kind=UnitKind.TEAM, parent=units["cs"])
    for key, (name, code, kind, parent) in extra.items():
        units[key] = services.unit_create(actor=None, name=name, code=code, kind=kind, parent=units[parent])
    return SimpleNamespace(**units)


def person_maker(default_unit: OrgUnit, *, prefix: str, username: str, name: str) -> Callable[..., Person]:
    """``make(role=None, unit=default_unit, *, scope=None, login=True, name=None, **fields)``: a person with
    employee number ``<prefix>NNNNN`` holding ``role`` (a role or a list; a supervisor role takes ``scope``)
    and, unless ``login=False``, a login ``<username>NNNNN`` with the password :data:`PASSWORD`."""
    default_name = name

    def make(role: Role | list | tuple | None = None, unit: OrgUnit | None = None, *, scope: OrgUnit | None = None,
             login: bool = True, name: str | None = None, **fields) -> Person:
        n = next(_numbers)
        person = services.person_create(
            actor=None, employee_no=fields.pop("employee_no", f"{prefix}{n:05d}"), name=name or f"{default_name}{n}",
            unit=unit or default_unit, **fields,
        )
        for r in role if isinstance(role, list | tuple) else ([role] if role else []):
            services.role_grant(actor=None, person=person, role=r, unit=scope if r == Role.SUPERVISOR else None)
        if login:
            services.person_set_login(actor=None, person=person, username=f"{username}{n}", password=PASSWORD)
        return person

    return make

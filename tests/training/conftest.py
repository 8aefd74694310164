"""Fixtures for the training tests: a small organisation, people by role, and a published course with
a micro-lesson and its quiz."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from tests.training.helpers import add_single

from servicecoach.org import services as org_services
from servicecoach.org.models import Role, UnitKind
from servicecoach.training import services
from servicecoach.training.models import ModuleTopic, QuestionKind

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def org(db):
    hq = org_services.unit_create(actor=None, name="华信优选", code="HQ", kind=UnitKind.COMPANY)
    cs = org_services.unit_create(actor=None, name="客户服务部", code="CS", kind=UnitKind.DEPARTMENT, parent=hq)
    pre = org_services.unit_create(actor=None, name="售前组", code="CS-PRE", kind=UnitKind.TEAM, parent=cs)
    aft = org_services.unit_create(actor=None, name="售后组", code="CS-AFT", kind=UnitKind.TEAM, parent=cs)
    trn = org_services.unit_create(actor=None, name="培训部", code="TRN", kind=UnitKind.DEPARTMENT, parent=hq)
    return SimpleNamespace(hq=hq, cs=cs, pre=pre, aft=aft, trn=trn)


@pytest.fixture
def make_person(db, org):
    """``make_person(role, unit=org.pre, scope=None, login=True, **fields)``."""

    def make(role=None, unit=None, *, scope=None, login=True, name=None, **fields):
        n = next(_numbers)
        person = org_services.person_create(
            actor=None, employee_no=fields.pop("employee_no", f"L{n:05d}"), name=name or f"学员{n}",
            unit=unit or org.pre, **fields,
        )
        roles = role if isinstance(role, list | tuple) else ([role] if role else [])
        for r in roles:
            org_services.role_grant(actor=None, person=person, role=r, unit=scope if r == Role.SUPERVISOR else None)
        if login:
            org_services.person_set_login(actor=None, person=person, username=f"learner{n}", password="pw-12345")
        return person

    return make


@pytest.fixture
def course(db):
    """A published course: one general module with a micro-lesson (2 questions) and a plain lesson."""
    course = services.course_create(actor=None, code="C-ETQ", title="服务礼仪")
    module = services.module_create(actor=None, course=course, title="礼貌用语", topic=ModuleTopic.ETIQUETTE)
    micro = services.lesson_create(actor=None, module=module, title="开场白", body="<p>您好，请问有什么可以帮您？</p>",
                                   minutes=15, is_micro=True, standard_code="STD-OPEN")
    add_single(micro, "开场白的第一句是？", "您好", ("喂", "说"))
    services.quiz_question_add(actor=None, lesson=micro, kind=QuestionKind.TRUE_FALSE, text="可以打断客户。",
                               choices=[("", False)])
    plain = services.lesson_create(actor=None, module=module, title="结束语", body="感谢来电。", minutes=10)
    services.course_set_published(actor=None, course=course, published=True)
    return SimpleNamespace(course=course, module=module, micro=micro, plain=plain)

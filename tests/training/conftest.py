"""Fixtures for the training tests: a small organisation, people by role, and a published course with
a micro-lesson and its quiz."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tests.factories import customer_service_org, person_maker
from tests.training.helpers import add_single

from servicecoach.org.models import UnitKind
from servicecoach.training import services
from servicecoach.training.models import ModuleTopic, QuestionKind


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def org(db):
    return customer_service_org(trn=("培训部", "TRN", UnitKind.DEPARTMENT, "hq"))


@pytest.fixture
def make_person(db, org):
    """``make_person(role, unit=org.pre, scope=None, login=True, **fields)``."""
    return person_maker(org.pre, prefix="L", username="learner", name="学员")


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

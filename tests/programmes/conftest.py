"""Fixtures for the programmes tests: a small organisation, a ``make_person`` factory, and a programme
with a classroom session whose trainer and participants are known.

    company (HQ)
    └── 客户服务部 (CS)
        ├── 售前组 (CS-PRE)   supervisor (scope CS-PRE), agents
        └── 售后组 (CS-AFT)   another agent
"""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from tests.factories import customer_service_org, person_maker

from servicecoach.org import calendar
from servicecoach.org.calendar import calendar_invalidate
from servicecoach.org.models import Role
from servicecoach.programmes import services


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_invalidate()
    yield
    calendar_invalidate()


@pytest.fixture
def org(db):
    return customer_service_org()


@pytest.fixture
def make_person(db, org):
    """``make_person(role=None, unit=None, *, scope=None, login=True, name=None, **fields)``."""
    return person_maker(org.pre, prefix="P", username="puser", name="学员")


@pytest.fixture
def people(make_person, org):
    return SimpleNamespace(
        manager=make_person(Role.TRAINING_MANAGER, name="培训经理"),
        trainer=make_person(Role.TRAINER, name="培训师", email="trainer@example.com"),
        supervisor=make_person(Role.SUPERVISOR, scope=org.pre, name="主管"),
        agent=make_person(Role.AGENT, name="新人甲", email="jia@example.com"),
        agent2=make_person(Role.AGENT, name="新人乙"),
        outsider=make_person(Role.AGENT, unit=org.aft, name="售后客服"),
        mentor=make_person(Role.MENTOR, unit=org.aft, name="导师"),
    )


def future_start(working_days: int = 20) -> date:
    """A working day far beyond the notice rule, whatever today is."""
    return calendar.add_working_days(timezone.localdate(), working_days)


@pytest.fixture
def programme(people):
    start = future_start()
    return services.programme_create(actor=people.manager.user, title="2026 新员工培训", kind="new_hire",
                                     start_date=start, end_date=start + timedelta(days=30), owner=people.manager,
                                     participants=[people.agent, people.agent2])


@pytest.fixture
def session(people, programme):
    start = programme.start_date
    return services.session_schedule(
        actor=people.manager.user, programme=programme, title="服务流程培训班", trainer=people.trainer,
        start_date=start, end_date=calendar.add_working_days(start, 1), day_start=time(9, 0), day_end=time(17, 30),
        venue="三楼培训室", capacity=20, assessment="第二天下午笔试", what_to_bring="笔记本电脑",
        participants=[(people.agent, "new_hire"), (people.agent2, "retrainee")],
    )

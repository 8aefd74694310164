"""Fixtures for the review app's tests: the sample organisation with a QA lead and a second reviewer,
and conversations stored and scored through the quality app's real services."""

from __future__ import annotations

import pytest
from tests.permissions.sample_org import build_sample_org
from tests.review.helpers import make_conversation

from servicecoach.org import services as org_services
from servicecoach.org.calendar import calendar_invalidate
from servicecoach.org.models import Role


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    calendar_invalidate()
    yield
    calendar_invalidate()


@pytest.fixture
def org(db):
    """The sample organisation plus ``lead`` (a QA reviewer scoped to the company: a QA lead) and
    ``reviewer2`` (another QA reviewer in Training)."""
    sample = build_sample_org()
    lead = org_services.person_create(actor=None, employee_no="S020", name="质检组长 吴昊", unit=sample.company)
    org_services.role_grant(actor=None, person=lead, role=Role.QA_REVIEWER, unit=sample.company)
    org_services.person_set_login(actor=None, person=lead, username="qa_lead", password=None)
    reviewer2 = org_services.person_create(actor=None, employee_no="S021", name="质检员 郑爽",
                                           unit=sample.units["training"])
    org_services.role_grant(actor=None, person=reviewer2, role=Role.QA_REVIEWER)
    org_services.person_set_login(actor=None, person=reviewer2, username="qa_reviewer2", password=None)
    sample.lead = lead
    sample.reviewer2 = reviewer2
    return sample


@pytest.fixture
def conv():
    return make_conversation

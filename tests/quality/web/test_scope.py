"""Who sees which conversations: the scope rule of quality.selectors."""

from __future__ import annotations

from servicecoach.org import services as org
from servicecoach.org.models import Role
from servicecoach.quality.models import Conversation
from servicecoach.quality.selectors import conversation_list, conversations_visible_to


def ids(user, **filters) -> set[str]:
    if filters:
        return set(conversation_list(user=user, filters=filters).values_list("external_id", flat=True))
    return set(conversations_visible_to(user).values_list("external_id", flat=True))


def test_each_role_sees_its_scope(sample, ingest, make_record):
    ingest(make_record("S007", cid="a"), make_record("S008", cid="mate"), make_record("S009", cid="b"),
           make_record("NOBODY", cid="unlinked"))
    users = sample.users
    assert ids(users["admin"]) == ids(users["training_manager"]) == {"a", "mate", "b", "unlinked"}
    assert ids(users["supervisor"]) == {"a", "mate"}
    assert ids(users["agent"]) == {"a"}
    assert ids(users["qa_reviewer"]) == set()  # placed in Training: no conversations there
    assert ids(users["trainer"]) == ids(users["mentor"]) == set()


def test_qa_reviewer_scope_is_their_role_unit_and_the_company_means_everything(sample, ingest, make_record):
    ingest(make_record("S007", cid="a"), make_record("S009", cid="b"), make_record("NOBODY", cid="unlinked"))
    reviewer = sample.people["qa_reviewer"]
    org.role_revoke(actor=None, person=reviewer, role=Role.QA_REVIEWER)
    org.role_grant(actor=None, person=reviewer, role=Role.QA_REVIEWER, unit=sample.units["team_b"])
    user = sample.users["qa_reviewer"]
    user._servicecoach_roles = None
    assert ids(user) == {"b"}
    org.role_grant(actor=None, person=reviewer, role=Role.QA_REVIEWER, unit=sample.units["company"])
    assert ids(user) == {"a", "b", "unlinked"}


def test_history_stays_with_the_unit_of_the_time(sample, ingest, make_record):
    ingest(make_record("S007", cid="before-move"))
    agent = sample.people["agent"]
    org.person_update(actor=None, person=agent, unit=sample.units["team_b"])
    ingest(make_record("S007", cid="after-move"))
    assert Conversation.objects.get(external_id="before-move").unit == sample.units["team_a"]
    assert ids(sample.users["supervisor"]) == {"before-move"}
    assert ids(sample.users["admin"], unit=sample.units["team_b"]) == {"after-move"}

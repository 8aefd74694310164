"""The read-only REST endpoints: scoped like the pages, items and history included."""

from __future__ import annotations

from tests.review.helpers import make_conversation, marks_full

from servicecoach.review import services


def _submitted(org, agent="S007"):
    review = services.review_assign(actor=None, conversation=make_conversation(agent), reviewer=org.people["qa_reviewer"])
    return services.review_save(actor=None, review=review, version=0, marks=marks_full(review), submit=True)


def test_agent_lists_only_the_reviews_of_their_own_conversations(client, org):
    mine = _submitted(org)
    other = _submitted(org, "S009")
    client.force_login(org.users["agent"])
    listed = client.get("/api/v1/reviews/").json()
    ids = [row["id"] for row in (listed["results"] if isinstance(listed, dict) else listed)]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/reviews/{other.pk}/").status_code == 404
    detail = client.get(f"/api/v1/reviews/{mine.pk}/").json()
    assert detail["score"] == mine.score and len(detail["items"]) == mine.items.count()


def test_appeal_shows_its_history(client, org):
    review = _submitted(org)
    item = review.items.filter(applicable=True).first()
    appeal = services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="理由")
    client.force_login(org.users["supervisor"])
    data = client.get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert data["status"] == "supervisor" and data["steps"][0]["action"] == "submit"
    assert data["items"][0]["item"] == item.item

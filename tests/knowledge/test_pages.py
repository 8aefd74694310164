"""Pages and API beyond search: script filling, attachments, owners, review dates, the editor of each kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from servicecoach.knowledge import services
from servicecoach.knowledge.models import Attachment, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def script(editor):
    return services.article_create(kind="script", title="退款安抚", author=editor.user, fields={
        "opening": "{客户称呼}您好，订单{订单号}的退款已提交。",
        "scenarios": [{"scenario": "催退款", "text": "{客户称呼}，我已为您加急。"}]})


def test_script_page_fills_placeholders_on_the_server_too(client, script, agent):
    client.force_login(agent.user)
    response = client.get(reverse("knowledge:script-fill", args=[script.pk]), {"客户称呼": "张先生"})
    assert response.status_code == 200
    assert [name for name, _ in response.context["placeholders"]] == ["客户称呼", "订单号"]
    filled = [part["filled"] for part in response.context["parts"]]
    assert filled == ["张先生您好，订单{订单号}的退款已提交。", "张先生，我已为您加急。"]


def test_attachments_are_served_only_to_who_may_read_the_article(client, editor, agent):
    faq = services.article_create(kind="faq", title="保修政策", fields={"answer": "一年保修。"}, author=editor.user)
    draft = services.article_create(kind="faq", title="新保修政策", fields={"answer": "两年。"}, author=editor.user,
                                    status="draft")
    client.force_login(editor.user)
    for article in (faq, draft):
        upload = SimpleUploadedFile("保修卡.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        assert client.post(reverse("knowledge:attachment-upload", args=[article.pk]), {"file": upload}).status_code == 302
    public, hidden = Attachment.objects.get(article=faq), Attachment.objects.get(article=draft)
    client.force_login(agent.user)
    response = client.get(reverse("knowledge:attachment-download", args=[public.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(reverse("knowledge:attachment-download", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("knowledge:attachment-delete", args=[public.pk])).status_code == 403
    assert client.post(reverse("knowledge:attachment-upload", args=[faq.pk]), {}).status_code == 403
    client.force_login(editor.user)
    assert client.post(reverse("knowledge:attachment-delete", args=[public.pk])).status_code == 302
    assert not Attachment.objects.filter(pk=public.pk).exists()


def test_an_owner_edits_their_own_article_whatever_their_role(client, editor, agent):
    own = services.article_create(kind="faq", title="我写的", fields={"answer": "甲"}, author=editor.user, owner=agent)
    other = services.article_create(kind="faq", title="别人的", fields={"answer": "乙"}, author=editor.user)
    client.force_login(agent.user)
    assert client.get(reverse("knowledge:article-edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("knowledge:article-edit", args=[other.pk])).status_code == 403
    response = client.post(reverse("knowledge:article-edit", args=[own.pk]), {
        "title": "我写的", "status": "published", "f_answer": "甲（已更新）", "f_similar": "", "owner": agent.pk,
        "note": "补充说明"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.version == 2 and own.fields["answer"] == "甲（已更新）"
    assert own.versions.get(number=2).note == "补充说明"


def test_review_list_shows_the_owners_articles_past_their_review_date(client, editor, agent):
    today = timezone.localdate()
    due = services.article_create(kind="faq", title="到期的", fields={"answer": "甲"}, author=editor.user,
                                  owner=agent, review_date=today - timedelta(days=1))
    services.article_create(kind="faq", title="未到期的", fields={"answer": "乙"}, author=editor.user, owner=agent,
                            review_date=today + timedelta(days=30))
    services.article_create(kind="faq", title="别人到期的", fields={"answer": "丙"}, author=editor.user,
                            owner=editor, review_date=today - timedelta(days=5))
    client.force_login(agent.user)
    assert list(client.get(reverse("knowledge:review-list")).context["page"].object_list) == [due]
    assert list(client.get(reverse("knowledge:review-list"), {"all": "1"}).context["page"].object_list) == [due]
    home = client.get(reverse("home")).content.decode()
    assert reverse("knowledge:review-list") in home
    client.force_login(editor.user)
    titles = [a.title for a in client.get(reverse("knowledge:review-list"), {"all": "1"}).context["page"].object_list]
    assert titles == ["别人到期的", "到期的"]


@pytest.mark.parametrize("kind", Kind.values)
def test_the_editor_of_each_kind_opens_and_refuses_an_empty_article(client, editor, kind):
    client.force_login(editor.user)
    url = reverse("knowledge:article-create", args=[kind])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "", "status": "published"})
    assert response.status_code == 200 and response.context["form"].errors["title"]


def test_api_lists_only_what_the_user_may_read(client, editor, agent):
    published = services.article_create(kind="faq", title="公开", fields={"answer": "甲"}, author=editor.user)
    draft = services.article_create(kind="faq", title="草稿", fields={"answer": "乙"}, author=editor.user,
                                    status="draft")
    client.force_login(agent.user)
    ids = [row["id"] for row in client.get("/api/v1/knowledge/articles/").json()["results"]]
    assert ids == [published.pk]
    assert client.get(f"/api/v1/knowledge/articles/{draft.pk}/").status_code == 404
    client.force_login(editor.user)
    ids = [row["id"] for row in client.get("/api/v1/knowledge/articles/", {"kind": "faq"}).json()["results"]]
    assert ids == [published.pk, draft.pk]

"""Forgotten password: a link by e-mail (Django's flow with our forms, templates and audit entries)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from servicecoach.core.accounts import ResetTokenGenerator
from servicecoach.org import selectors, services
from servicecoach.org.models import AuditAction, AuditEntry, LoginFailure, Role, UnitKind

NEW_PASSWORD = "Qing-shui-2026"


@pytest.fixture
def person(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    unit = services.unit_create(actor=None, name="售前组", code="PRE", kind=UnitKind.TEAM)
    person = services.person_create(actor=None, employee_no="E001", name="张婷", unit=unit,
                                    email="Zhang.Ting@example.cn")
    services.role_grant(actor=None, person=person, role=Role.AGENT)
    services.person_set_login(actor=None, person=person, username="zhangting", password="Old-pass-2025")
    return person


def _request(email: str, *, language: str | None = None):
    client = Client(REMOTE_ADDR="10.20.30.40")
    if language:
        client.cookies["django_language"] = language
    return client.post(reverse("password_reset"), {"email": email})


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_login_page_offers_the_reset(db):
    html = Client().get(reverse("login")).content.decode()
    assert reverse("password_reset") in html and "忘记密码？" in html


def test_a_known_address_gets_a_link_in_chinese_by_default(person):
    response = _request("zhang.ting@EXAMPLE.cn")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Zhang.Ting@example.cn"]  # the person record's address: the login has none
    assert message.subject.startswith("设置") and "新密码" in message.subject
    assert "张婷，您好" in message.body and "zhangting" in message.body
    assert "24 小时内有效" in message.body
    assert _link(message).startswith("/accounts/password/reset/")
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET_REQUEST)
    assert entry.object_id == str(person.user.pk) and entry.changes["sent"] is True
    assert entry.ip == "10.20.30.40"


def test_the_mail_follows_the_language_of_the_request(person):
    _request("zhang.ting@example.cn", language="en")
    message = mail.outbox[0]
    assert message.subject.startswith("Set a new password for")
    assert "Hello 张婷," in message.body and "works for 24 hours" in message.body


def test_an_unknown_address_gets_the_same_page_and_no_mail(person):
    known = _request("zhang.ting@example.cn")
    unknown = _request("nobody@example.cn")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert len(mail.outbox) == 1  # only the known address's
    entry = AuditEntry.objects.filter(action=AuditAction.PASSWORD_RESET_REQUEST, changes__sent=False).get()
    assert entry.object_repr == "nobody@example.cn"
    done = Client().get(known["Location"]).content.decode()
    assert "如果有账号使用您输入的邮箱地址" in done


def test_no_mail_for_an_unusable_password_or_a_disabled_login(person):
    services.person_set_login(actor=None, person=person, username="zhangting", password=None)
    _request("zhang.ting@example.cn")
    person.user.set_password("Old-pass-2025")
    person.user.is_active = False
    person.user.save()
    _request("zhang.ting@example.cn")
    assert mail.outbox == []


def test_no_mail_for_a_login_without_any_address(person):
    services.person_update(actor=None, person=person, email="")
    assert list(selectors.users_for_password_reset("")) == []
    _request("zhang.ting@example.cn")
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once_and_is_audited(person):
    _request("zhang.ting@example.cn")
    client = Client()
    response = client.get(_link(mail.outbox[0]))
    assert response.status_code == 302  # Django moves the token into the session first
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.context["validlink"] and "设置新密码" in page.content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    assert Client().login(username="zhangting", password=NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET)
    assert entry.actor == person.user and entry.object_id == str(person.user.pk)
    again = Client().get(_link(mail.outbox[0]), follow=True)
    assert not again.context["validlink"] and "此链接已失效" in again.content.decode()


def test_the_new_password_must_pass_the_validators_with_chinese_messages(person):
    _request("zhang.ting@example.cn")
    client = Client()
    form_url = client.get(_link(mail.outbox[0]))["Location"]
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "密码长度太短" in errors and "密码只包含数字" in errors
    assert Client().login(username="zhangting", password="Old-pass-2025")


def test_a_link_older_than_the_timeout_no_longer_works(person, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 60 * 60

    class TwoDaysAgo(ResetTokenGenerator):
        def _now(self):
            return datetime.now() - timedelta(days=2)

    uid = urlsafe_base64_encode(force_bytes(person.user.pk))
    old = TwoDaysAgo().make_token(person.user)
    response = Client().get(reverse("password_reset_confirm", args=[uid, old]), follow=True)
    assert not response.context["validlink"]
    fresh = ResetTokenGenerator().make_token(person.user)
    response = Client().get(reverse("password_reset_confirm", args=[uid, fresh]), follow=True)
    assert response.context["validlink"]


def test_a_reset_clears_the_failed_login_count(person):
    for _ in range(5):
        Client().post(reverse("login"), {"username": "zhangting", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    assert selectors.username_lock("zhangting") is not None
    _request("zhang.ting@example.cn")
    client = Client()
    form_url = client.get(_link(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert selectors.username_lock("zhangting") is None
    assert not LoginFailure.objects.filter(username="zhangting").exists()
    response = Client().post(reverse("login"), {"username": "zhangting", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_pages_are_complete_in_english(person):
    client = Client()
    client.cookies["django_language"] = "en"
    assert "Forgot your password?" in client.get(reverse("password_reset")).content.decode()
    assert "Check your e-mail" in client.get(reverse("password_reset_done")).content.decode()
    assert "Password set" in client.get(reverse("password_reset_complete")).content.decode()


def test_changing_the_person_e_mail_voids_the_links_sent_before(person):
    _request("zhang.ting@example.cn")
    services.person_update(actor=None, person=person, email="new.address@example.cn")
    response = Client().get(_link(mail.outbox[0]), follow=True)
    assert not response.context["validlink"]


def test_a_login_gets_at_most_three_links_an_hour_and_the_page_does_not_tell(person, settings, monkeypatch):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 3
    pages = [_request("zhang.ting@example.cn") for _ in range(5)]
    assert {(p.status_code, p["Location"]) for p in pages} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 3
    entries = AuditEntry.objects.filter(action=AuditAction.PASSWORD_RESET_REQUEST, object_id=str(person.user.pk))
    assert [e.changes.get("throttled", False) for e in entries.order_by("at", "id")] == [False] * 3 + [True] * 2
    # an hour later the login may get a link again (the audit log is append-only: the clock moves instead)
    from django.utils import timezone

    later = timezone.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    _request("zhang.ting@example.cn")
    assert len(mail.outbox) == 4


def test_one_address_asking_too_often_gets_no_more_mail(person, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_IP_HOUR = 4
    for n in range(4):
        _request(f"guess{n}@example.cn")  # the same client address (10.20.30.40) each time
    # four requests made: the fifth is one too many
    _request("zhang.ting@example.cn")
    assert mail.outbox == []
    last = AuditEntry.objects.filter(action=AuditAction.PASSWORD_RESET_REQUEST).order_by("-at", "-id").first()
    assert last.changes == {"email": "zhang.ting@example.cn", "sent": False, "throttled": True}
    # another address is not held back
    Client(REMOTE_ADDR="10.20.30.41").post(reverse("password_reset"), {"email": "zhang.ting@example.cn"})
    assert len(mail.outbox) == 1

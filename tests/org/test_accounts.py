"""Logins: the throttle (failed logins lock a username or an address, in the database, for every way of
logging in) and the administrators' view of locked logins."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from servicecoach.org import selectors, services
from servicecoach.org.models import AuditAction, AuditEntry, LoginFailure, Role

PASSWORD = "pw-12345"  # make_person's
LOCKED_ZH = "登录失败次数过多"


def _login(username: str, password: str, *, ip: str = "10.1.1.1", client: Client | None = None):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(username: str, times: int, *, ip: str = "10.1.1.1"):
    response = None
    for _ in range(times):
        response = _login(username, "wrong-password", ip=ip)
    return response


def _errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


@pytest.fixture
def agent(make_person):
    return make_person(Role.AGENT, name="张婷", email="zhang.ting@example.cn")


def test_four_failures_say_wrong_password_the_fifth_locks_the_username(agent):
    response = _fail(agent.user.username, 4)
    assert response.status_code == 200 and LOCKED_ZH not in _errors(response)
    response = _fail(agent.user.username, 1)
    assert LOCKED_ZH in _errors(response)
    assert "暂时锁定" in _errors(response)
    until = timezone.localtime(selectors.username_lock(agent.user.username).until)
    assert f"{until:%H:%M}" in _errors(response)


def test_a_locked_username_refuses_the_right_password_from_any_address(agent):
    _fail(agent.user.username, 5, ip="10.1.1.1")
    response = _login(agent.user.username, PASSWORD, ip="192.168.7.7")
    assert response.status_code == 200 and LOCKED_ZH in _errors(response)
    assert "_auth_user_id" not in response.client.session


def test_an_unknown_username_locks_the_same_way(agent):
    known = _errors(_fail(agent.user.username, 5, ip="10.0.0.1"))
    unknown = _errors(_fail("no-such-login", 5, ip="10.0.0.2"))
    assert known == unknown  # same words, same time: nothing tells the two apart
    assert selectors.username_lock("no-such-login") is not None


def test_username_case_does_not_escape_the_count(agent):
    name = agent.user.username
    _fail(name, 3)
    _fail(name.upper(), 2)
    assert selectors.username_lock(name) is not None


def test_a_successful_login_clears_the_username_count(agent):
    _fail(agent.user.username, 4)
    response = _login(agent.user.username, PASSWORD)
    assert response.status_code == 302
    response = _fail(agent.user.username, 4)
    assert LOCKED_ZH not in _errors(response)
    assert selectors.username_lock(agent.user.username) is None


def test_the_lock_ends_after_the_lockout(agent):
    _fail(agent.user.username, 5)
    assert _login(agent.user.username, PASSWORD).status_code == 200
    LoginFailure.objects.update(at=F("at") - timedelta(minutes=16))
    assert _login(agent.user.username, PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(agent):
    _fail(agent.user.username, 4)
    LoginFailure.objects.update(at=F("at") - timedelta(minutes=16))
    response = _fail(agent.user.username, 1)
    assert LOCKED_ZH not in _errors(response)
    assert _login(agent.user.username, PASSWORD).status_code == 302


def test_attempts_refused_by_a_lock_do_not_stretch_it(agent):
    _fail(agent.user.username, 5)
    until = selectors.username_lock(agent.user.username).until
    _fail(agent.user.username, 3)
    assert LoginFailure.objects.count() == 5
    assert selectors.username_lock(agent.user.username).until == until
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 8  # still every attempt in the audit log
    assert failed.filter(changes__locked="username").count() == 4  # the fifth, which locked, and the 3 after


def test_the_lock_is_written_to_the_audit_log_once(agent):
    _fail(agent.user.username, 7)
    locked = AuditEntry.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert locked.count() == 1
    entry = locked.get()
    assert entry.object_type == "org.user" and entry.object_id == str(agent.user.pk)
    assert entry.changes["username"] == agent.user.username and entry.ip == "10.1.1.1"


def test_twenty_failures_from_one_address_refuse_it_for_every_username(agent):
    for n in range(20):
        _login(f"guess{n}", "wrong", ip="10.9.9.9")
    response = _login(agent.user.username, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 200
    assert "网络地址" in _errors(response)
    assert selectors.username_lock(agent.user.username) is None  # the login name itself is not locked
    assert _login(agent.user.username, PASSWORD, ip="10.9.9.10").status_code == 302


def test_thresholds_come_from_settings(agent, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 2
    settings.LOGIN_LOCKOUT_MINUTES = 60
    response = _fail(agent.user.username, 2)
    assert LOCKED_ZH in _errors(response)
    LoginFailure.objects.update(at=F("at") - timedelta(minutes=30))
    assert selectors.username_lock(agent.user.username) is not None


def test_rows_too_old_to_count_are_purged_on_write(agent):
    old = LoginFailure.objects.create(username="someone", ip="10.2.2.2")
    LoginFailure.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(hours=1))
    _fail("other", 1)
    assert not LoginFailure.objects.filter(pk=old.pk).exists()
    assert LoginFailure.objects.filter(username="other").count() == 1


def test_the_count_lives_in_the_database_for_every_process(agent):
    # Each failure is a row; two clients (two sessions, as two gunicorn workers would see) share them.
    _fail(agent.user.username, 3, ip="10.3.3.3")
    _fail(agent.user.username, 2, ip="10.3.3.4")
    assert LoginFailure.objects.filter(username=agent.user.username).count() == 5
    assert selectors.username_lock(agent.user.username) is not None


# --- the REST API goes through the same authenticate() ---------------------------------------


def test_api_token_exchange_is_throttled_with_429(agent):
    client = APIClient(REMOTE_ADDR="10.4.4.4")
    url = reverse("api:auth-token")
    for _ in range(4):
        assert client.post(url, {"username": agent.user.username, "password": "wrong"}).status_code == 400
    response = client.post(url, {"username": agent.user.username, "password": "wrong"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    response = client.post(url, {"username": agent.user.username, "password": PASSWORD})
    assert response.status_code == 429
    # The same lock holds on the login page.
    assert LOCKED_ZH in _errors(_login(agent.user.username, PASSWORD))


def test_api_basic_authentication_is_throttled(agent):
    credentials = base64.b64encode(f"{agent.user.username}:{PASSWORD}".encode()).decode()

    def basic(password_ok: bool = True):
        header = credentials if password_ok else base64.b64encode(
            f"{agent.user.username}:wrong".encode()).decode()
        request = APIRequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Basic {header}",
                                          REMOTE_ADDR="10.5.5.5")
        return BasicAuthentication().authenticate(Request(request))

    assert basic()[0] == agent.user
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            basic(password_ok=False)
    with pytest.raises(AuthenticationFailed):
        basic()  # the right password, refused while locked
    assert selectors.username_lock(agent.user.username) is not None


def test_the_admin_site_login_is_throttled(agent):
    agent.user.is_staff = True
    agent.user.save()
    for _ in range(5):
        Client().post(reverse("admin:login"), {"username": agent.user.username, "password": "wrong"},
                      REMOTE_ADDR="10.6.6.6")
    response = Client().post(reverse("admin:login"), {"username": agent.user.username, "password": PASSWORD},
                             REMOTE_ADDR="10.6.6.7")
    assert response.status_code == 200  # the form again, not a redirect into the admin site
    assert LOCKED_ZH in " ".join(response.context["form"].non_field_errors())


# --- administrators see and lift locks ---------------------------------------------------------


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_locked_logins_page_lists_usernames_and_addresses(agent, admin_client):
    _fail(agent.user.username, 5, ip="10.7.7.1")
    for n in range(20):
        _login(f"x{n}", "wrong", ip="10.7.7.7")
    html = admin_client.get(reverse("org:login-lock-list")).content.decode()
    assert f'<span class="mono">{agent.user.username}</span>' in html and "张婷" in html
    assert '<span class="mono">10.7.7.7</span>' in html
    assert '<span class="mono">x3</span>' not in html  # one failure each: the guessed names are not locked


def test_admin_unlocks_a_username_and_it_is_audited(agent, admin_user, admin_client):
    _fail(agent.user.username, 5)
    detail = admin_client.get(reverse("org:person-detail", args=[agent.pk])).content.decode()
    assert reverse("org:login-unlock") in detail
    response = admin_client.post(reverse("org:login-unlock"), {
        "kind": "username", "key": agent.user.username, "next": reverse("org:person-detail", args=[agent.pk])})
    assert response.status_code == 302 and response["Location"] == reverse("org:person-detail", args=[agent.pk])
    assert selectors.username_lock(agent.user.username) is None
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert entry.actor == admin_user and entry.changes["username"] == agent.user.username
    assert _login(agent.user.username, PASSWORD).status_code == 302


def test_admin_unlocks_an_address_without_unlocking_a_username(agent, admin_client):
    for _ in range(5):
        _login(agent.user.username, "wrong", ip="10.8.8.8")
    for n in range(15):
        _login(f"g{n}", "wrong", ip="10.8.8.8")
    assert selectors.ip_lock("10.8.8.8") is not None
    admin_client.post(reverse("org:login-unlock"), {"kind": "ip", "key": "10.8.8.8"})
    assert selectors.ip_lock("10.8.8.8") is None
    assert selectors.username_lock(agent.user.username) is not None
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCKED, changes__ip="10.8.8.8").exists()


def test_unlock_rejects_a_bad_address_with_a_message(admin_client):
    response = admin_client.post(reverse("org:login-unlock"), {"kind": "ip", "key": "not-an-ip"}, follow=True)
    assert "not-an-ip" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCKED).exists()


def test_unlock_does_not_redirect_off_site(agent, admin_client):
    _fail(agent.user.username, 5)
    response = admin_client.post(reverse("org:login-unlock"), {
        "kind": "username", "key": agent.user.username, "next": "https://evil.example/"})
    assert response["Location"] == reverse("org:login-lock-list")


def test_only_administrators_unlock(agent, make_person):
    _fail(agent.user.username, 5)
    supervisor = make_person(Role.SUPERVISOR).user
    client = Client()
    client.force_login(supervisor)
    response = client.post(reverse("org:login-unlock"), {"kind": "username", "key": agent.user.username})
    assert response.status_code == 403
    assert selectors.username_lock(agent.user.username) is not None


def test_unlock_service_refuses_an_unknown_kind(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.login_unlock(actor=None, kind="team", key="x")
    assert "kind" in error.value.message_dict


def test_the_audit_log_reads_lock_entries_in_chinese(agent, admin_client):
    _fail(agent.user.username, 5)
    until = timezone.localtime(selectors.username_lock(agent.user.username).until)
    html = admin_client.get(reverse("org:audit-list"), {"action": "login_locked"}).content.decode()
    assert '<th scope="row">锁定至</th>' in html and f"{until:%Y-%m-%d %H:%M}" in html
    html = admin_client.get(reverse("org:audit-list"), {"action": "login_failed"}).content.decode()
    assert '<th scope="row">被锁定</th>' in html  # the fifth failure: "locked: username"


# ---------------------------------------------------------------- behind a reverse proxy


def _request(remote: str, forwarded: str | None = None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(settings):
    from django.core.exceptions import ImproperlyConfigured

    from servicecoach.org.receivers import client_ip

    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.5", "203.0.113.7")) == "10.0.0.5"  # no proxy trusted: header ignored
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "127.0.0.1"]
    assert client_ip(_request("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    # a client's own header at the left is not believed: the nearest untrusted hop is the client
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.7, 127.0.0.1")) == "203.0.113.7"
    assert client_ip(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"  # not from a trusted proxy
    assert client_ip(_request("10.0.0.5", "garbage, 10.0.0.6")) == "10.0.0.5"  # nothing believable
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"
    settings.TRUSTED_PROXIES = ["not-a-network"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES: 'not-a-network'"):
        client_ip(_request("10.0.0.5", "203.0.113.7"))


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(agent, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(REMOTE_ADDR="127.0.0.1")

    def via_proxy(username, password, forwarded):
        return client.post(reverse("login"), {"username": username, "password": password},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    for n in range(20):
        via_proxy(f"guess{n}", "wrong", "203.0.113.50")
    assert "网络地址" in _errors(via_proxy(agent.user.username, PASSWORD, "203.0.113.50"))
    # another client behind the same proxy is not locked out with the first
    assert via_proxy(agent.user.username, PASSWORD, "203.0.113.51").status_code == 302

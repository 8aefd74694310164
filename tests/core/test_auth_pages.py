"""Login, logout (a POST) and password change, with our templates."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.permissions.sample_org import build_sample_org

PASSWORD = "Demo-pass-2026"


@pytest.fixture
def org_with_passwords(db, settings):
    # A deliberately fast hasher: these tests are about the pages, not about password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_sample_org(password=PASSWORD)


def test_login_page_has_product_name_and_language_switch(db):
    html = Client().get(reverse("login")).content.decode()
    assert "服务教练" in html
    assert 'action="/i18n/setlang/"' in html


def test_login_logout_round_trip(org_with_passwords):
    client = Client()
    response = client.post(reverse("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(org_with_passwords):
    response = Client().post(reverse("login"), {"username": "agent", "password": "nope"})
    assert response.status_code == 200
    assert 'class="alert alert-error' in response.content.decode()


def test_password_change_reports_wrong_old_password_on_its_field(org_with_passwords):
    client = Client()
    client.login(username="agent", password=PASSWORD)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"})
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert Client().login(username="agent", password="Another-pass-77")

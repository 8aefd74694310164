"""The interface language: Chinese by default whatever the browser says, English after choosing it."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def test_default_language_is_chinese_even_when_the_browser_prefers_english(db):
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content
    assert "Log in" not in content


def test_language_cookie_switches_to_english(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en"
    content = response.content.decode()
    assert "Log in" in content
    assert "登录" not in content


def test_unknown_language_in_cookie_falls_back_to_chinese(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-klingon"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "zh-hans"


def test_set_language_view_sets_the_cookie_and_redirects_back(client_as):
    client = client_as("agent")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/org/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/me/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    home = client.get("/")
    assert home["Content-Language"] == "en"
    assert "My profile" in home.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我的档案" in client.get("/").content.decode()


def test_the_language_of_one_request_does_not_leak_into_the_next(db):
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english.get("/accounts/login/")
    assert Client().get("/accounts/login/")["Content-Language"] == "zh-hans"


def test_model_choices_follow_the_language(client_as, sample_org):
    client = client_as("agent")
    assert "初级" in client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Junior" in client.get("/").content.decode()

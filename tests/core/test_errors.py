"""403, 404 and 500 pages: localised, and the 500 page renders without any request context."""

from __future__ import annotations

from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from servicecoach.core import views


def test_404_page_is_chinese_by_default_and_english_on_request(db):
    client = Client()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_403_page_is_localised(client_as, sample_org):
    client = client_as("agent")
    response = client.get("/org/audit/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Access denied" in client.get("/org/audit/").content.decode()


def test_500_page_renders_without_request_context():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = views.error_500(request)
    assert response.status_code == 500
    assert "出错了" in response.content.decode()
    with translation.override("en"):
        assert "Something went wrong" in views.error_500(request).content.decode()

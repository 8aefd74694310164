"""The layout's assets come from our own server: our CSS, htmx from django-htmx, Plotly from plotly."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client


@pytest.mark.parametrize("path", [
    "core/app.css",
    "core/favicon.svg",
    "django_htmx/htmx-2.min.js",
    "vendor/plotly/plotly.min.js",
])
def test_asset_is_found_in_an_installed_package(path):
    assert finders.find(path), f"static file {path} not found by the staticfiles finders"


def test_assets_are_served_without_collectstatic(db):
    client = Client()
    for path in ("/static/core/app.css", "/static/vendor/plotly/plotly.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_plotly_include_points_at_the_local_copy():
    html = render_to_string("core/includes/plotly.html")
    assert 'src="/static/vendor/plotly/plotly.min.js"' in html

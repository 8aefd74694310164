"""The home page: panels and navigation depend on the user's roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicecoach.core import home, selectors
from servicecoach.org.models import Role


def _html(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_home_shows_counts_admin_links_and_recent_changes(client_as, sample_org):
    html = _html(client_as("admin"))
    assert 'id="panel-admin_overview"' in html
    assert f'href="{reverse("admin:index")}"' in html
    assert f'href="{reverse("org:audit-list")}"' in html
    assert f'href="{reverse("org:person-list")}"' in html
    # 9 people in the sample organisation, 5 units; its creation went through the audited services
    assert '<div class="stat-value">9</div><div class="stat-label">在职人数</div>' in html
    assert '<div class="stat-value">5</div><div class="stat-label">在用组织</div>' in html
    assert "授予角色" in html  # a recent "role granted" entry


def test_agent_home_shows_own_profile_and_no_admin_links(client_as, sample_org):
    html = _html(client_as("agent"))
    assert 'id="panel-profile"' in html
    assert "S007" in html and "Team A" in html and "2024-03-01" in html
    assert 'id="panel-admin_overview"' not in html
    assert reverse("admin:index") not in html
    assert reverse("org:audit-list") not in html
    assert f'href="{reverse("org:person-list")}"' not in html


def test_supervisor_home_lists_own_team_only(client_as, sample_org):
    html = _html(client_as("supervisor"))
    assert 'id="panel-supervisor_teams"' in html
    assert sample_org.teammate.name in html
    assert sample_org.outsider.name not in html
    assert reverse("org:audit-list") not in html


def test_training_manager_home_shows_people_by_level(client_as, sample_org):
    html = _html(client_as("training_manager"))
    assert 'id="panel-training_overview"' in html
    assert 'id="panel-admin_overview"' not in html


@pytest.mark.parametrize(
    ("role", "sees_working_days"),
    [("trainer", True), ("mentor", True), ("qa_reviewer", True), ("supervisor", True),
     ("training_manager", True), ("agent", False)],
)
def test_people_who_plan_see_the_working_days_ahead(client_as, sample_org, role, sees_working_days):
    html = _html(client_as(role))
    assert ('id="panel-working_days"' in html) is sees_working_days
    assert 'id="panel-admin_overview"' not in html


@pytest.mark.django_db
def test_working_days_panel_names_holidays_and_make_up_days():
    from datetime import date

    from django.utils import translation

    from servicecoach.org import calendar

    with translation.override("en"):
        days = {d["date"]: d for d in calendar.unusual_days(date(2026, 2, 10), 30)}
        reason = str(days[date(2026, 2, 16)]["reason"])
    assert days[date(2026, 2, 14)]["working"] is True  # Saturday, Spring Festival make-up workday
    assert days[date(2026, 2, 16)]["working"] is False  # Monday, Spring Festival
    assert reason == "Spring Festival"
    assert date(2026, 2, 13) not in days and date(2026, 2, 15) not in days  # ordinary Friday, Sunday


@pytest.mark.parametrize(
    ("role", "sees_people"),
    [("admin", True), ("training_manager", True), ("supervisor", True), ("trainer", False), ("agent", False)],
)
def test_navigation_follows_roles(client_as, sample_org, role, sees_people):
    html = _html(client_as(role))
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{reverse("org:person-list")}"' in nav) is sees_people
    assert (f'href="{reverse("org:audit-list")}"' in nav) is (role == "admin")
    assert f'href="{reverse("org:me")}"' in nav


def test_a_later_capability_can_register_its_own_panel(client_as, sample_org):
    panel = home.register_panel(home.HomePanel(
        key="test_extra", title="Extra panel of three", template="core/panels/working_days.html",
        roles=frozenset({Role.AGENT}), data=selectors.home_working_days,
    ))
    try:
        assert 'id="panel-test_extra"' in _html(client_as("agent"))
        assert 'id="panel-test_extra"' not in _html(client_as("trainer"))
    finally:
        home.HOME_PANELS.pop(panel.key)


def test_header_shows_name_roles_language_switch_and_logout(client_as, sample_org):
    html = _html(client_as("supervisor"))
    assert sample_org.people["supervisor"].name in html
    assert 'action="/i18n/setlang/"' in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("password_change")}"' in html


def test_pages_load_nothing_from_the_internet(client_as, sample_org):
    for role in ("admin", "agent"):
        html = _html(client_as(role))
        assert "http://" not in html and "https://" not in html
        assert "/static/django_htmx/htmx-2" in html

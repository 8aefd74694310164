from django.urls import path

from servicecoach.org import views, views_import

app_name = "org"
urlpatterns: list = [
    # Organisation pages (web shell).
    path("units/", views.unit_list, name="unit-list"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", views.unit_update, name="unit-update"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_update, name="person-update"),
    path("people/<int:pk>/login/", views.person_login, name="person-login"),
    path("people/<int:pk>/roles/grant/", views.person_role_grant, name="person-role-grant"),
    path("people/<int:pk>/roles/<int:assignment_pk>/revoke/", views.person_role_revoke, name="person-role-revoke"),
    path("me/", views.person_me, name="me"),
    path("audit/", views.audit_list, name="audit-list"),
    path("logins/locked/", views.login_lock_list, name="login-lock-list"),
    path("logins/unlock/", views.login_unlock, name="login-unlock"),
    # Excel import of people and the working-day calendar.
    path("people/import/", views_import.people_import_view, name="people-import"),
    path("people/import/template/", views_import.people_import_template_view, name="people-import-template"),
    path("calendar/", views_import.calendar_view, name="calendar"),
]

"""Pages of the Training programmes app, under /programmes/ (namespace ``programmes``)."""

from django.urls import path

from servicecoach.programmes import views

app_name = "programmes"

urlpatterns: list = [
    path("", views.programme_list, name="programme-list"),
    path("new/", views.programme_create, name="programme-create"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/edit/", views.programme_update, name="programme-update"),
    path("<int:programme_pk>/sessions/new/", views.session_create, name="session-create"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session-update"),
    path("sessions/<int:pk>/notice/", views.session_send_notice, name="session-send-notice"),
    path("sessions/<int:pk>/short-notice/", views.session_short_notice, name="session-short-notice"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/agenda/", views.session_agenda, name="session-agenda"),
    path("sessions/<int:pk>/equipment/<int:check_pk>/", views.equipment_toggle, name="equipment-toggle"),
    path("sessions/<int:pk>/materials/", views.material_upload, name="material-upload"),
    path("sessions/<int:pk>/materials/<int:material_pk>/", views.material_download, name="material-download"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:pk>/notes/", views.participation_note_add, name="participation-note-add"),
    path("sessions/<int:pk>/feedback/", views.session_feedback, name="session-feedback"),
    path("sessions/<int:pk>/feedback/summary/", views.session_feedback_summary, name="session-feedback-summary"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice-read"),
]

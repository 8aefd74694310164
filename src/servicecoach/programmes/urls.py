"""Pages of the Training programmes app, under /programmes/ (namespace ``programmes``)."""

from django.urls import path

from servicecoach.programmes import views, views_mentoring, views_needs, views_onboarding, views_records

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
    path("sessions/<int:pk>/code/", views.session_code, name="session-code"),
    path("sessions/<int:pk>/sign-in/", views.session_sign_in, name="session-sign-in"),
    path("sessions/<int:pk>/groups/", views.group_exercise_add, name="group-exercise-add"),
    path("sessions/<int:pk>/coaching/", views.coaching_task_add, name="coaching-task-add"),
    path("sessions/<int:pk>/coaching/<int:task_pk>/done/", views.coaching_task_done, name="coaching-task-done"),
    path("sessions/<int:pk>/notes/", views.participation_note_add, name="participation-note-add"),
    path("sessions/<int:pk>/feedback/", views.session_feedback, name="session-feedback"),
    path("sessions/<int:pk>/feedback/summary/", views.session_feedback_summary, name="session-feedback-summary"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice-read"),
    # Onboarding (新人带教).
    path("onboarding/templates/", views_onboarding.template_list, name="template-list"),
    path("onboarding/templates/new/", views_onboarding.template_create, name="template-create"),
    path("onboarding/templates/<int:pk>/", views_onboarding.template_detail, name="template-detail"),
    path("onboarding/templates/<int:pk>/edit/", views_onboarding.template_update, name="template-update"),
    path("onboarding/templates/<int:pk>/start/", views_onboarding.plan_start, name="plan-start"),
    path("onboarding/", views_onboarding.plan_list, name="plan-list"),
    path("onboarding/<int:pk>/", views_onboarding.plan_detail, name="plan-detail"),
    path("onboarding/<int:pk>/tasks/<int:task_pk>/", views_onboarding.task_tick, name="task-tick"),
    # Mentoring.
    path("mentors/", views_mentoring.mentor_list, name="mentor-list"),
    path("mentors/me/", views_mentoring.mentor_me, name="mentor-me"),
    path("mentors/<int:pk>/", views_mentoring.mentor_detail, name="mentor-detail"),
    path("mentors/certification/", views_mentoring.certification_list, name="certification-list"),
    path("mentors/certification/<int:pk>/decide/", views_mentoring.certification_decide,
         name="certification-decide"),
    path("mentoring/new/", views_mentoring.assignment_create, name="assignment-create"),
    path("mentoring/<int:pk>/", views_mentoring.assignment_detail, name="assignment-detail"),
    path("mentoring/<int:pk>/meetings/", views_mentoring.one_on_one_add, name="one-on-one-add"),
    path("mentoring/<int:pk>/shadowing/", views_mentoring.shadowing_add, name="shadowing-add"),
    path("mentoring/<int:pk>/end/", views_mentoring.assignment_end, name="assignment-end"),
    # Training records (培训档案).
    path("records/me/", views_records.record_me, name="record-me"),
    path("records/<int:pk>/", views_records.record, name="record"),
    path("records/<int:pk>/export/", views_records.record_export, name="record-export"),
    # Training-needs analysis (培训需求分析).
    path("needs/", views_needs.survey_list, name="survey-list"),
    path("needs/new/", views_needs.survey_create, name="survey-create"),
    path("needs/<int:pk>/", views_needs.survey_detail, name="survey-detail"),
    path("needs/<int:pk>/qa/", views_needs.survey_qa_input, name="survey-qa-input"),
    path("needs/<int:pk>/programme/", views_needs.survey_seed, name="survey-seed"),
    path("needs/<int:pk>/exams/", views_needs.survey_exam_input, name="survey-exam-input"),
    path("needs/<int:pk>/path/", views_needs.survey_path, name="survey-path"),
    path("needs/<int:pk>/session/", views_needs.survey_session, name="survey-session"),
]

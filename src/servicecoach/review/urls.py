"""Pages of the Quality review app (sampling, review, appeals, calibration), under /qa/review/ (namespace ``review``)."""

from django.urls import path

from servicecoach.review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review-edit"),
    path("reviews/<int:pk>/reassign/", views.review_reassign, name="review-reassign"),
    path("reviews/<int:pk>/case/", views.case_edit, name="case-edit"),
    path("reviews/<int:pk>/appeal/", views.appeal_create, name="appeal-create"),
    path("conversations/<int:pk>/review/", views.review_start, name="review-start"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_edit, name="plan-create"),
    path("plans/<int:pk>/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/run/", views.plan_run, name="plan-run"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/unpublish/", views.case_unpublish, name="case-unpublish"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal-detail"),
    path("calibration/", views.calibration_list, name="calibration-list"),
    path("calibration/new/", views.calibration_create, name="calibration-create"),
    path("calibration/<int:pk>/", views.calibration_detail, name="calibration-detail"),
    path("calibration/<int:pk>/report/", views.calibration_report, name="calibration-report"),
    path("calibration/<int:pk>/close/", views.calibration_close, name="calibration-close"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/repeat/", views.dashboard_repeat, name="dashboard-repeat"),
]

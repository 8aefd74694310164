"""Pages of the Assessment app, under /exams/ (namespace ``exams``)."""

from django.urls import path

from servicecoach.exams import views

app_name = "exams"

urlpatterns: list = [
    # question bank
    path("questions/", views.question_list, name="question-list"),
    path("questions/new/", views.question_create, name="question-create"),
    path("questions/import/", views.question_import, name="question-import"),
    path("questions/import/template/", views.question_import_template, name="question-import-template"),
    path("questions/export/", views.question_export, name="question-export"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("questions/<int:pk>/edit/", views.question_update, name="question-update"),
    path("questions/<int:pk>/archive/", views.question_archive, name="question-archive"),
    # papers
    path("papers/", views.paper_list, name="paper-list"),
    path("papers/new/", views.paper_create, name="paper-create"),
    path("papers/<int:pk>/", views.paper_detail, name="paper-detail"),
    path("papers/<int:pk>/edit/", views.paper_update, name="paper-update"),
    # exams (managers)
    path("", views.exam_list, name="exam-list"),
    path("new/", views.exam_create, name="exam-create"),
    path("<int:pk>/", views.exam_detail, name="exam-detail"),
    path("<int:pk>/edit/", views.exam_update, name="exam-update"),
    path("<int:pk>/release/", views.exam_release, name="exam-release"),
    path("results/", views.result_list, name="result-list"),
    path("marking/", views.marking_queue, name="marking-queue"),
    path("marking/<int:pk>/", views.item_mark, name="item-mark"),
    # candidates
    path("mine/", views.my_exams, name="my-exams"),
    path("<int:pk>/start/", views.exam_start, name="exam-start"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt-detail"),
    path("attempts/<int:pk>/take/", views.attempt_take, name="attempt-take"),
    path("attempts/<int:pk>/answer/", views.attempt_answer, name="attempt-answer"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="attempt-submit"),
]

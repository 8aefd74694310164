"""Pages of the Training app, under /learning/ (namespace ``training``)."""

from django.urls import path

from servicecoach.training import views

app_name = "training"

urlpatterns: list = [
    path("", views.my_learning, name="my-learning"),
    path("people/<int:pk>/", views.person_learning, name="person-learning"),
    path("daily-quiz/", views.daily_quiz, name="daily-quiz"),
    path("courses/", views.course_list, name="course-list"),
    path("courses/new/", views.course_create, name="course-create"),
    path("courses/<int:pk>/", views.course_detail, name="course-detail"),
    path("courses/<int:pk>/edit/", views.course_update, name="course-update"),
    path("courses/<int:pk>/publish/", views.course_publish, name="course-publish"),
    path("courses/<int:pk>/modules/new/", views.module_create, name="module-create"),
    path("modules/<int:pk>/edit/", views.module_update, name="module-update"),
    path("modules/<int:pk>/move/", views.module_move, name="module-move"),
    path("modules/<int:pk>/delete/", views.module_delete, name="module-delete"),
    path("modules/<int:pk>/lessons/new/", views.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson-detail"),
    path("lessons/<int:pk>/edit/", views.lesson_update, name="lesson-update"),
    path("lessons/<int:pk>/move/", views.lesson_move, name="lesson-move"),
    path("lessons/<int:pk>/delete/", views.lesson_delete, name="lesson-delete"),
    path("lessons/<int:pk>/read/", views.lesson_read, name="lesson-read"),
    path("lessons/<int:pk>/quiz/", views.lesson_quiz, name="lesson-quiz"),
    path("lessons/<int:pk>/bank/", views.lesson_bank, name="lesson-bank"),
    path("lessons/<int:pk>/questions/", views.lesson_question_add, name="lesson-question-add"),
    path("lessons/<int:pk>/questions/<int:question_pk>/delete/", views.lesson_question_delete,
         name="lesson-question-delete"),
    path("lessons/<int:pk>/files/", views.lesson_file_upload, name="lesson-file-upload"),
    path("lessons/<int:pk>/rereads/", views.lesson_rereads, name="lesson-rereads"),
    path("files/<int:pk>/", views.lesson_file, name="lesson-file"),
    path("files/<int:pk>/delete/", views.lesson_file_delete, name="lesson-file-delete"),
    path("rereads/", views.reread_list, name="reread-list"),
    path("paths/", views.path_list, name="path-list"),
    path("paths/new/", views.path_create, name="path-create"),
    path("paths/<int:pk>/", views.path_detail, name="path-detail"),
    path("paths/<int:pk>/edit/", views.path_update, name="path-update"),
    path("paths/<int:pk>/courses/", views.path_course_add, name="path-course-add"),
    path("paths/<int:pk>/enrol/", views.path_enrol, name="path-enrol"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report-export"),
]

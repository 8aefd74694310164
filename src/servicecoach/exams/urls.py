"""Pages of the Assessment app, under /exams/ (namespace ``exams``)."""

from django.urls import path

from servicecoach.exams import views, views_practical

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

urlpatterns += [
    # practical exams, overall conduct, composite grade, feedback, report
    path("scenarios/", views_practical.card_list, name="card-list"),
    path("scenarios/new/", views_practical.card_create, name="card-create"),
    path("scenarios/<int:pk>/edit/", views_practical.card_update, name="card-update"),
    path("rubrics/", views_practical.rubric_list, name="rubric-list"),
    path("rubrics/new/", views_practical.rubric_create, name="rubric-create"),
    path("rubrics/<int:pk>/edit/", views_practical.rubric_update, name="rubric-update"),
    path("assessments/", views_practical.assessment_list, name="assessment-list"),
    path("assessments/new/", views_practical.assessment_create, name="assessment-create"),
    path("assessments/results/", views_practical.assessment_results, name="assessment-results"),
    path("assessments/feedback/", views_practical.feedback_list, name="feedback-list"),
    path("assessments/<int:pk>/", views_practical.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/edit/", views_practical.assessment_update, name="assessment-update"),
    path("assessments/<int:pk>/compute/", views_practical.assessment_compute, name="assessment-compute"),
    path("assessments/<int:pk>/release/", views_practical.assessment_release, name="assessment-release"),
    path("assessments/<int:pk>/report/", views_practical.assessment_report, name="assessment-report"),
    path("assessments/<int:pk>/report.pdf", views_practical.assessment_report_pdf, name="assessment-report-pdf"),
    path("assessments/<int:pk>/report.xlsx", views_practical.assessment_report_excel, name="assessment-report-excel"),
    path("candidates/<int:pk>/", views_practical.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/draw/", views_practical.candidate_draw, name="candidate-draw"),
    path("candidates/<int:pk>/score/", views_practical.candidate_score, name="candidate-score"),
    path("candidates/<int:pk>/conduct/", views_practical.candidate_conduct, name="candidate-conduct"),
    path("candidates/<int:pk>/feedback/", views_practical.candidate_feedback, name="candidate-feedback"),
]

"""Pages of the Performance app, under /kpi/ (namespace ``kpi``)."""

from django.urls import path

from servicecoach.kpi import views

app_name = "kpi"

urlpatterns: list = [
    path("", views.period_list, name="period-list"),
    path("me/", views.my_results, name="my-results"),
    path("analysis/", views.analysis, name="analysis"),
    path("analysis.xlsx", views.analysis_export, name="analysis-export"),
    path("periods/new/", views.period_create, name="period-create"),
    path("periods/<int:pk>/", views.period_detail, name="period-detail"),
    path("periods/<int:pk>/sync/", views.period_sync, name="period-sync"),
    path("periods/<int:pk>/score/", views.period_score, name="period-score"),
    path("periods/<int:pk>/lock/", views.period_lock, name="period-lock"),
    path("periods/<int:pk>/unlock/", views.period_unlock, name="period-unlock"),
    path("periods/<int:pk>/compute/", views.period_compute, name="period-compute"),
    path("periods/<int:pk>/teams/<int:unit_pk>/", views.team_grid, name="team-grid"),
    path("periods/<int:pk>/teams/<int:unit_pk>/cost/", views.team_cost, name="team-cost"),
    path("periods/<int:pk>/cell/", views.cell_save, name="cell-save"),
    path("periods/<int:pk>/import/", views.inputs_import, name="inputs-import"),
    path("periods/<int:pk>/inputs.xlsx", views.inputs_export, name="inputs-export"),
    path("periods/<int:pk>/history/", views.input_history, name="input-history"),
    path("periods/<int:pk>/results/", views.results, name="results"),
    path("periods/<int:pk>/results.xlsx", views.results_export, name="results-export"),
    path("periods/<int:pk>/agents/<int:person_pk>/", views.result_detail, name="result-detail"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/<int:pk>/", views.template_detail, name="template-detail"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template-copy"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
]

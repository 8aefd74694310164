"""Pages of the Quality inspection app, under /qa/ (namespace ``quality``)."""

from django.urls import path

from servicecoach.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.conversation_list, name="conversation-list"),
    path("conversations/export/", views.conversation_export, name="conversation-export"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation-detail"),
    path("hits/<int:pk>/verdict/", views.hit_verdict, name="hit-verdict"),
    path("upload/", views.upload, name="upload"),
    path("rescore/", views.rescore, name="rescore"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/skipped.csv", views.job_skips, name="job-skips"),
    path("jobs/<int:pk>/resume/", views.job_resume, name="job-resume"),
    path("agents/unmapped/", views.unmapped_list, name="unmapped-list"),
    path("agents/unmapped/<int:pk>/map/", views.unmapped_map, name="unmapped-map"),
    path("rules/", views.version_list, name="version-list"),
    path("rules/<str:kind>/new/", views.version_create, name="version-create"),
    path("rules/<str:kind>/<int:pk>/", views.version_edit, name="version-edit"),
    path("rules/<str:kind>/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("rules/<str:kind>/<int:pk>/delete/", views.version_delete, name="version-delete"),
    path("rules/ruleset/<int:pk>/preview/", views.ruleset_preview, name="ruleset-preview"),
    path("rules/scorecard/<int:pk>/items/", views.scorecard_items, name="scorecard-items"),
]

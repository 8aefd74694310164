"""Pages of the Knowledge base app, under /kb/ (namespace ``knowledge``)."""

from django.urls import path

from servicecoach.knowledge import views

app_name = "knowledge"

urlpatterns: list = [
    path("", views.search, name="search"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/new/<str:kind>/", views.article_create, name="article-create"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("articles/<int:pk>/delete/", views.article_delete, name="article-delete"),
    path("articles/<int:pk>/versions/", views.article_versions, name="article-versions"),
    path("articles/<int:pk>/versions/compare/", views.article_compare, name="article-compare"),
    path("articles/<int:pk>/versions/<int:number>/restore/", views.article_restore, name="article-restore"),
    path("articles/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("articles/<int:pk>/fill/", views.script_fill, name="script-fill"),
    path("articles/<int:pk>/acknowledgements/new/", views.acknowledgement_request_create,
         name="acknowledgement-request-create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("acknowledgements/", views.my_acknowledgements, name="my-acknowledgements"),
    path("acknowledgements/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("acknowledgements/requests/", views.acknowledgement_requests, name="acknowledgement-requests"),
    path("acknowledgements/requests/<int:pk>/", views.acknowledgement_report, name="acknowledgement-report"),
    path("acknowledgements/requests/<int:pk>/export/", views.acknowledgement_report_export,
         name="acknowledgement-report-export"),
    path("review/", views.review_list, name="review-list"),
    path("unanswered/", views.unanswered, name="unanswered"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
    path("search-settings/", views.search_settings, name="search-settings"),
]

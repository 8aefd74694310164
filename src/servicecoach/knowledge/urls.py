"""Pages of the Knowledge base app, under /kb/ (namespace ``knowledge``)."""

app_name = "knowledge"

urlpatterns: list = []

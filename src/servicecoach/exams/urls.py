"""Pages of the Assessment app, under /exams/ (namespace ``exams``)."""

app_name = "exams"

urlpatterns: list = []

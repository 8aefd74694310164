"""Pages of the Performance app, under /kpi/ (namespace ``kpi``)."""

app_name = "kpi"

urlpatterns: list = []

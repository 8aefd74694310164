"""Pages of the Quality inspection app, under /qa/ (namespace ``quality``)."""

app_name = "quality"

urlpatterns: list = []

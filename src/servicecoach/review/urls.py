"""Pages of the Quality review app (sampling, review, appeals, calibration), under /qa/review/ (namespace ``review``)."""

app_name = "review"

urlpatterns: list = []

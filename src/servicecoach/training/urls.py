"""Pages of the Training app, under /learning/ (namespace ``training``)."""

app_name = "training"

urlpatterns: list = []

"""Pages of the Training programmes app, under /programmes/ (namespace ``programmes``)."""

app_name = "programmes"

urlpatterns: list = []

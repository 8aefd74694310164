from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    return render(request, "core/home.html")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)

"""Pages for importing people from Excel and for the working-day calendar. Thin: forms parse the
request, ``org.importing`` / ``org.services`` / ``org.calendar`` do the work."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecoach.core.permissions import role_required
from servicecoach.org import calendar, services
from servicecoach.org.importing import people_import, people_import_template
from servicecoach.org.models import Role

IMPORTERS = (Role.ADMIN, Role.TRAINING_MANAGER)
CALENDAR_EDITORS = (Role.ADMIN,)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeopleImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file, import nothing"), required=False)


@role_required(*IMPORTERS)
def people_import_view(request):
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = people_import(actor=request.user, file=upload, dry_run=form.cleaned_data["dry_run"],
                               file_name=upload.name)
        return render(request, "org/import_result.html", {"report": report})
    return render(request, "org/import_form.html", {"form": form})


@role_required(*IMPORTERS)
def people_import_template_view(request):
    return HttpResponse(
        people_import_template(),
        content_type=XLSX,
        headers={"Content-Disposition": content_disposition_header(True, _("people-import-template") + ".xlsx")},
    )


class OverrideForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=gettext_lazy("This date is"),
        choices=[("0", gettext_lazy("a day off")), ("1", gettext_lazy("a working day"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class OverrideDeleteForm(forms.Form):
    date = forms.DateField()


class CheckForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    n = forms.IntegerField(label=gettext_lazy("Working days to add"), min_value=-1000, max_value=1000, initial=5,
                           required=False)


@role_required(*CALENDAR_EDITORS)
def calendar_view(request):
    override_form = OverrideForm(prefix="set")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            delete_form = OverrideDeleteForm(request.POST)
            if delete_form.is_valid():
                day = delete_form.cleaned_data["date"]
                if services.calendar_override_delete(actor=request.user, date=day):
                    messages.success(request, _("The override of %(date)s was removed.") % {"date": day.isoformat()})
                return redirect("org:calendar")
        else:
            override_form = OverrideForm(request.POST, prefix="set")
            if override_form.is_valid():
                data = override_form.cleaned_data
                try:
                    services.calendar_override_set(actor=request.user, date=data["date"],
                                                   is_working_day=data["is_working_day"], note=data["note"])
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        override_form.add_error(field if field in override_form.fields else None, errors)
                else:
                    messages.success(request, _("%(date)s saved.") % {"date": data["date"].isoformat()})
                    return redirect("org:calendar")

    check_form = CheckForm(request.GET or None)
    check = None
    if check_form.is_bound and check_form.is_valid():
        day, n = check_form.cleaned_data["day"], check_form.cleaned_data["n"]
        check = {"status": _with_label(calendar.calendar_status(day)), "n": n}
        if n is not None:
            try:
                check["target"] = calendar.add_working_days(day, n)
            except ValueError:  # beyond the year 9999
                check["target"] = None
            if check["target"] is not None:
                check["target_status"] = _with_label(calendar.calendar_status(check["target"]))
    return render(request, "org/calendar.html", {
        "override_form": override_form, "check_form": check_form, "check": check,
        "overrides": list(calendar.calendar_override_list()),
    })


def _with_label(status: dict) -> dict:
    labels = {"override": _("company override"), "statutory": _("statutory calendar"),
              "weekday-fallback": _("Monday–Friday assumed")}
    return {**status, "source_label": labels[status["source"]]}

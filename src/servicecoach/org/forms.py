"""Forms of the organisation pages. They validate input; the services in org.services do the writing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import (
    AuditAction,
    Level,
    OrgUnit,
    Person,
    PersonStatus,
    Role,
    User,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label):
    return [("", label)]


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown with their place in the tree, e.g. "— — Team A"."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class UnitForm(forms.ModelForm):
    parent = UnitChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("Parent unit"))

    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = OrgUnit.objects.order_by("path")
        if self.instance.pk:
            # A unit cannot move under itself or one of its own sub-units.
            parents = parents.exclude(path__startswith=self.instance.path)
        else:
            del self.fields["active"]
        self.fields["parent"].queryset = parents


class PersonForm(forms.ModelForm):
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))

    class Meta:
        model = Person
        fields = ["employee_no", "name", "unit", "hire_date", "level", "status", "left_on", "email", "phone"]
        widgets = {"hire_date": DATE_INPUT, "left_on": DATE_INPUT}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (units if units is not None else OrgUnit.objects.all()).order_by("path")
        if self.instance.pk:
            # The employee number identifies the person (and the Excel import matches on it).
            self.fields["employee_no"].disabled = True
            self.fields["employee_no"].help_text = _("The employee number cannot be changed.")

    def clean(self):
        cleaned = super().clean()
        status, left_on = cleaned.get("status"), cleaned.get("left_on")
        if status == PersonStatus.LEFT and not left_on:
            self.add_error("left_on", _("Enter the date this person left."))
        if status == PersonStatus.ACTIVE and left_on:
            self.add_error("left_on", _("Only people who have left have a leaving date."))
        hire_date = cleaned.get("hire_date")
        if hire_date and left_on and left_on < hire_date:
            self.add_error("left_on", _("The leaving date is before the hire date."))
        return cleaned


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=_blank(_("Choose a role")) + Role.choices)
    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=_("Scope unit"),
        help_text=_("For a supervisor: the unit they look after (empty: their own unit)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person.user_id:
            self.fields["username"].initial = person.user.username

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        taken = User.objects.filter(username__iexact=username)
        if self.person.user_id:
            taken = taken.exclude(pk=self.person.user_id)
        if taken.exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.person.user or User(username=self.data.get("username", ""))
        validate_password(password, user)
        return password


class LoginUnlockForm(forms.Form):
    """Which lock an administrator lifts: a login name or an IP address."""

    kind = forms.ChoiceField(choices=[("username", _("Username")), ("ip", _("IP address"))])
    key = forms.CharField(max_length=150)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "ip" and cleaned.get("key"):
            try:
                forms.GenericIPAddressField().clean(cleaned["key"])
            except forms.ValidationError:
                self.add_error("key", _("“%(value)s” is not an IP address.") % {"value": cleaned["key"]})
        return cleaned


class PersonFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or employee number")}),
    )
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("Unit"),
                           empty_label=_("All units"))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_blank(_("All roles")) + Role.choices)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank(_("All levels")) + Level.choices)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank(_("All statuses")) + PersonStatus.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=_blank(_("All actions")) + AuditAction.choices)
    actor = forms.ModelChoiceField(queryset=User.objects.order_by("username"), required=False,
                                   label=_("Actor"), empty_label=_("Anyone"))
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    text = forms.CharField(
        label=_("Search"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Object, actor, id or IP address")}),
    )

    def __init__(self, *args, object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _blank(_("All types")) + [(t, t) for t in object_types if t]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

"""core.forms.apply_service_errors: a service's ValidationError lands on the form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from servicecoach.core.forms import apply_service_errors


class Sample(forms.Form):
    name = forms.CharField(required=False)
    f_answer = forms.CharField(required=False)


def _bound() -> Sample:
    form = Sample(data={})
    assert form.is_valid()
    return form


def test_messages_go_to_the_named_field_and_unknown_names_on_top():
    form = _bound()
    apply_service_errors(form, ValidationError({"name": "too short", "elsewhere": "not a field"}))
    assert form.errors["name"] == ["too short"]
    assert form.non_field_errors() == ["not a field"]


def test_a_message_without_a_field_goes_on_top():
    form = _bound()
    apply_service_errors(form, ValidationError("the month is locked"))
    assert form.non_field_errors() == ["the month is locked"]


def test_prefixed_fields_are_found():
    form = _bound()
    apply_service_errors(form, ValidationError({"answer": "required"}), field_prefixes=("f_",))
    assert form.errors["f_answer"] == ["required"]
    assert not form.non_field_errors()


def test_flash_form_errors_labels_each_message(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from servicecoach.core.forms import flash_form_errors

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    form = _bound()
    form.fields["name"].label = "Name"
    apply_service_errors(form, ValidationError({"name": "too short", "other": "broken"}))
    assert flash_form_errors(request, form) is True
    assert sorted(str(m) for m in get_messages(request)) == ["Name: too short", "broken"]
    assert flash_form_errors(request, _bound()) is False

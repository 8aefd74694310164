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

"""Automatic enrolment on joining. org/ cannot call us, so we listen: a new person, or a person given a
role, is enrolled on the automatic learning paths that fit them (training.services.auto_enrol)."""

from __future__ import annotations

from django.db import transaction


def person_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _after_commit(instance.pk)


def role_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _after_commit(instance.person_id)


def _after_commit(person_id: int) -> None:
    # After the commit: the org import creates a person, then grants roles, in one transaction; by then the
    # roles are there to match, and a refused import enrols nobody.
    def run() -> None:
        from servicecoach.org.models import Person
        from servicecoach.training.services import auto_enrol

        person = Person.objects.select_related("unit").filter(pk=person_id).first()
        if person is not None:
            auto_enrol(person=person)

    transaction.on_commit(run)

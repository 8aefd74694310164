"""Excel import of people, the working-day calendar page, and the read-only audit log in the admin."""

from __future__ import annotations

from tests.permissions.matrix import FORBIDDEN, LOGIN, Entry, expect, only

ENTRIES = [
    Entry("org:people-import", expect=only("admin", "training_manager")),
    # An upload without a file: the form comes back with its error (200) for those who may import.
    Entry("org:people-import", label="upload", method="POST", data={}, expect=only("admin", "training_manager")),
    Entry("org:people-import-template", expect=only("admin", "training_manager")),
    Entry("org:calendar", expect=only("admin")),
    Entry("org:calendar", label="check a date", path="/org/calendar/?day=2026-02-13&n=2", expect=only("admin")),
    # Saving an override without a date: the form comes back with its error (200) for the administrator.
    Entry("org:calendar", label="set override", method="POST", data={"action": "set"}, expect=only("admin")),
    # The audit log is append-only: even a superuser may not add or delete an entry in the admin.
    Entry("admin:org_auditentry_add", expect=expect(LOGIN, admin=FORBIDDEN)),
    Entry("admin:org_auditentry_delete", kwargs=lambda org: {"object_id": _first_audit_pk()},
          expect=expect(LOGIN, admin=FORBIDDEN)),
]


def _first_audit_pk() -> str:
    from servicecoach.org.models import AuditEntry

    return str(AuditEntry.objects.order_by("pk").values_list("pk", flat=True).first())

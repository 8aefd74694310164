"""Web shell and organisation pages: password change, units, people, role grants, the audit log viewer.

Scope in the sample organisation: the supervisor looks after Team A (the agent and the teammate are
there); the mentor sits in Team B with the outsider; admin, training manager, trainer and QA reviewer
sit in Training. An object outside the user's scope answers 404, a page the role may not use 403.
"""

from __future__ import annotations

from tests.permissions.matrix import NOT_FOUND, OK, Entry, expect, only, public, signed_in, staff_only

ENTRIES = [
    Entry("password_change", expect=signed_in()),
    Entry("password_change", label="wrong old password", method="POST",
          data={"old_password": "wrong", "new_password1": "x", "new_password2": "y"}, expect=signed_in()),
    Entry("password_change_done", expect=signed_in()),
    # Forgotten password: open to everyone (the answer never tells whether an address has an account).
    Entry("password_reset", expect=public()),
    Entry("password_reset", label="unknown address", method="POST", data={"email": "nobody@example.com"},
          expect=public()),
    Entry("password_reset", label="invalid", method="POST", data={"email": "not an address"}, expect=public()),
    Entry("password_reset_done", expect=public()),
    # A made-up link: the page that says the link no longer works (after Django's redirect, for every one).
    Entry("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "made-up-token"}, expect=public()),
    Entry("password_reset_complete", expect=public()),
    # Everyone has a profile; it redirects to their own person page (anonymous: log in).
    Entry("org:me", expect=signed_in()),
    # Lists are scoped, never refused: an agent sees only themselves.
    Entry("org:unit-list", expect=signed_in()),
    Entry("org:person-list", expect=signed_in()),
    Entry("org:person-list", label="filtered", path="/org/people/?q=S00&level=junior&status=active",
          expect=signed_in()),
    Entry("org:unit-detail", label="Team A", kwargs=lambda org: {"pk": org.units["team_a"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("org:unit-detail", label="Team B", kwargs=lambda org: {"pk": org.units["team_b"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, mentor=OK)),
    Entry("org:person-detail", label="own team", kwargs=lambda org: {"pk": org.teammate.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK)),
    Entry("org:person-detail", label="other team", kwargs=lambda org: {"pk": org.outsider.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
    Entry("org:person-detail", label="themselves", kwargs=lambda org: {"pk": org.people["trainer"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, trainer=OK)),
    # Editing: units by administrators; people by administrators and training managers.
    Entry("org:unit-create", expect=only("admin")),
    Entry("org:unit-create", label="invalid", method="POST", data={}, expect=only("admin")),
    Entry("org:unit-update", kwargs=lambda org: {"pk": org.units["team_a"].pk}, expect=only("admin")),
    Entry("org:person-create", expect=staff_only()),
    Entry("org:person-create", label="invalid", method="POST", data={}, expect=staff_only()),
    Entry("org:person-update", kwargs=lambda org: {"pk": org.teammate.pk}, expect=staff_only()),
    # Logins and roles: administrators only.
    Entry("org:person-login", kwargs=lambda org: {"pk": org.teammate.pk}, expect=only("admin")),
    Entry("org:person-role-grant", method="POST", data={"role": ""},
          kwargs=lambda org: {"pk": org.teammate.pk}, expect=only("admin")),
    Entry("org:person-role-revoke", method="POST",
          kwargs=lambda org: {"pk": org.teammate.pk, "assignment_pk": org.teammate.roles.get().pk},
          expect=only("admin")),
    Entry("org:audit-list", expect=only("admin")),
    # Locked logins: administrators see them and lift them (an empty form is refused with a message).
    Entry("org:login-lock-list", expect=only("admin")),
    Entry("org:login-unlock", method="POST", data={}, expect=only("admin")),
    Entry("org:login-unlock", label="username", method="POST", data={"kind": "username", "key": "agent"},
          expect=only("admin")),
    Entry("org:audit-list", label="filtered", path="/org/audit/?action=create&text=Team&date_from=2020-01-01",
          expect=only("admin")),
]

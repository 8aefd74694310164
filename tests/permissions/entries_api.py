"""REST API under /api/v1/ (namespace "api"): anonymous requests answer 401 (``login``).

Objects outside a user's scope answer 404; writes by a role that may not write answer 403 (the role is
checked before the object is looked up). POSTs send invalid data, so the roles that may create get 400
(validation ran: they were let in) and nothing is created between principals.
"""

from __future__ import annotations

import itertools

from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, signed_in

_GUESSES = itertools.count(1)


def _lock_username(username: str) -> dict:
    from servicecoach.org.services import login_failure_record

    for _ in range(5):
        login_failure_record(username=username, ip=None)
    return {}

ENTRIES = [
    Entry("api:api-root", expect=signed_in()),
    Entry("api:me", expect=signed_in()),
    # Wrong credentials: 400 for everyone (the endpoint needs no login; it is the login). A new username each
    # time: five failures for one username lock it (next entry).
    Entry("api:auth-token", method="POST", json=True,
          data=lambda org: {"username": f"nobody{next(_GUESSES)}", "password": "wrong"},
          expect=expect(400, anonymous=400)),
    # A locked username: 429 for everyone, whatever the password (the login throttle, org.backends).
    Entry("api:auth-token", label="locked username", method="POST", json=True,
          kwargs=lambda org: _lock_username("agent"), data={"username": "agent", "password": "wrong"},
          expect=expect(429, anonymous=429)),
    # Units: everyone lists the units they may see; only administrators create or change them.
    Entry("api:unit-list", expect=signed_in()),
    Entry("api:unit-list", label="create", method="POST", json=True, data={"name": ""},
          expect=expect(FORBIDDEN, admin=400)),
    Entry("api:unit-detail", label="supervised team", kwargs=lambda org: {"pk": org.units["team_a"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("api:unit-detail", label="other team", kwargs=lambda org: {"pk": org.units["team_b"].pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, mentor=OK)),
    Entry("api:unit-detail", label="update", method="PATCH", json=True,
          kwargs=lambda org: {"pk": org.units["team_a"].pk}, data={"name": "Team A"},
          expect=expect(FORBIDDEN, admin=OK)),
    # People: scoped list; administrators and training managers create and change records.
    Entry("api:person-list", expect=signed_in()),
    Entry("api:person-list", label="create", method="POST", json=True, data={"name": ""},
          expect=expect(FORBIDDEN, admin=400, training_manager=400)),
    Entry("api:person-detail", label="teammate", kwargs=lambda org: {"pk": org.teammate.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK)),
    Entry("api:person-detail", label="other team", kwargs=lambda org: {"pk": org.outsider.pk},
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
    Entry("api:person-detail", label="update", method="PATCH", json=True,
          kwargs=lambda org: {"pk": org.teammate.pk}, data={"phone": "13800000000"},
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK)),
]

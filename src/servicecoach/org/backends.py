"""The authentication backend: Django's ModelBackend behind the login throttle.

Every password login — the login page, the admin site's, the API's token exchange, DRF's basic and session
authentication — goes through ``django.contrib.auth.authenticate()`` and so through here. A username or an
address that is locked (``org.selectors.login_lock``) is refused before the password is even checked, so a
right password does not get in either while the lock lasts. The failures themselves are counted by the
``user_login_failed`` receiver (``org.receivers``), which ``authenticate()`` calls once for every failed
attempt, whichever backend refused it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from servicecoach.org import selectors, services
from servicecoach.org.receivers import client_ip


class LoginLocked(PermissionDenied):
    """Raised to stop ``authenticate()`` at once: the username or the address is locked."""

    def __init__(self, lock: selectors.LoginLock):
        super().__init__(f"login locked ({lock.kind}) until {lock.until.isoformat()}")
        self.lock = lock


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        lock = selectors.login_lock(username=username, ip=client_ip(request))
        if lock is not None:
            raise LoginLocked(lock)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            services.login_failures_clear(username=username)
        return user

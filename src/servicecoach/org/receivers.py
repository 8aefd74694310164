"""Receivers of Django's authentication signals: the only hook Django offers for logins, so they
do nothing but call org.services: the audit log, and the count of failed logins that locks a username or
an address (``org.backends.ThrottledModelBackend`` refuses them)."""

from __future__ import annotations

import ipaddress

from servicecoach.org.models import AuditAction
from servicecoach.org.services import audit_record, login_failure_record


def client_ip(request) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; a proxy in front should set it)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # not an address (a unix socket, a test client): keep the entry, drop the IP
        return None


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, ip=client_ip(request))


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out without being logged in
        return
    audit_record(actor=user, action=AuditAction.LOGOUT, obj=user, ip=client_ip(request))


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or credentials.get("email") or "")[:150]
    ip = client_ip(request)
    # Counted before the audit entry so that the entry can say the attempt was refused by a lock.
    lock = login_failure_record(username=username, ip=ip)
    changes = {"username": username}
    if lock is not None:
        changes["locked"] = lock.kind
    audit_record(
        actor=None,
        actor_name=username,
        action=AuditAction.LOGIN_FAILED,
        object_type="org.user",
        object_repr=username,
        changes=changes,
        ip=ip,
    )

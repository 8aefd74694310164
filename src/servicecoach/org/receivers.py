"""Receivers of Django's authentication signals: the only hook Django offers for logins, so they
do nothing but call org.services: the audit log, and the count of failed logins that locks a username or
an address (``org.backends.ThrottledModelBackend`` refuses them)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from servicecoach.org.models import AuditAction
from servicecoach.org.services import audit_record, login_failure_record


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted_networks() -> list:
    networks = []
    for item in getattr(settings, "TRUSTED_PROXIES", ()) or ():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {item!r} is not an address or a network") from None
    return networks


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy (``settings.TRUSTED_PROXIES``),
    the rightmost address of X-Forwarded-For that is not a trusted proxy itself (the one the nearest
    proxy saw; what a client writes at the left is not believed)."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:  # not an address (a unix socket, a test client): keep the entry, drop the IP
        return None
    trusted = _trusted_networks()
    if trusted and any(remote in net for net in trusted):
        forwarded = [_address(p) for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed(forwarded):
            if hop is None:
                break  # a malformed hop: stop believing the header there
            if not any(hop in net for net in trusted):
                return str(hop)
    return str(remote)


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

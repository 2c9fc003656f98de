"""The data API's tokens: a regulator issues one to each outside government system and
revokes it when the system no longer needs it; both are audited.

The secret is handed back once, to be shown once: only its SHA-256 is kept, so nobody
(an administrator reading the database included) can read it again. A lost secret is
revoked and a new token issued.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from marketplace.models import User
from marketplace.roles import user_is_regulator
from policy.errors import ApiTokenRefused, NotAllowed
from policy.models import ApiToken
from policy.selectors.api_tokens import SECRET_PREFIX, api_token_hash

SYSTEM_MAX_LENGTH = ApiToken._meta.get_field("system").max_length or 120
# How much of the secret the lists show (and the database keeps, to tell tokens apart).
PREFIX_LENGTH = ApiToken._meta.get_field("prefix").max_length or 12
# A token's last use is written at most this often: the API's only write.
TOUCH_EVERY = timedelta(minutes=1)


def _check_regulator(actor: User) -> None:
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can issue or revoke data API tokens."))


def _system_name(system: str) -> str:
    name = " ".join(system.split())
    if not name:
        raise ApiTokenRefused(_("Name the system the token is for."))
    if "\x00" in name or len(name) > SYSTEM_MAX_LENGTH:
        raise ApiTokenRefused(
            _("Name the system in %(count)d characters at most, without control characters.")
            % {"count": SYSTEM_MAX_LENGTH}
        )
    return name


@transaction.atomic
def api_token_issue(*, system: str, by: User) -> tuple[ApiToken, str]:
    """A new token for ``system``, and its secret: the only time the secret exists
    outside the caller's hands. The prefix is unique too; a clash (one in 2^48) draws
    again."""
    _check_regulator(by)
    name = _system_name(system)
    for _attempt in range(3):
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    system=name,
                    prefix=secret[:PREFIX_LENGTH],
                    key_hash=api_token_hash(secret),
                    issued_by=by,
                    issued_at=timezone.now(),
                )
        except IntegrityError:
            continue
        break
    else:
        raise ApiTokenRefused(_("No token could be drawn; try again."))
    audit_record(
        action=Action.API_TOKEN_ISSUED,
        actor=by,
        subject=name,
        detail={"token": token.pk, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token in force: its next request is refused (the API reads tokens from
    the main database, never a lagging replica)."""
    _check_regulator(by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ApiTokenRefused(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.API_TOKEN_REVOKED,
        actor=by,
        subject=token.system,
        detail={"token": token.pk, "prefix": token.prefix},
    )
    return token


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Record that ``token`` was just used, at most once a minute: nothing when the
    token as read says it was used less than a minute ago, else one conditional UPDATE
    on the main database (of several processes at once, one writes). Returns whether
    it wrote. Not audited: it is usage, not a regulated action."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    stale = Q(last_used_at=None) | Q(last_used_at__lt=now - TOUCH_EVERY)
    written = ApiToken.objects.using("default").filter(stale, pk=token.pk).update(last_used_at=now)
    if written:
        token.last_used_at = now
    return bool(written)

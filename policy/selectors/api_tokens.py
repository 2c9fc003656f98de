"""Reads of the data API's tokens: the token a request presents, and the regulator's list.

A token is found by the SHA-256 of its secret, on its unique index: the secret itself is
never stored nor compared, so no timing of a string comparison tells an attacker how
much of a guess was right. Lookups read the main database, never the read replica: a
revocation must shut the door at once, not when the copy catches up.
"""

from __future__ import annotations

import hashlib

from django.db.models import F, QuerySet

from policy.models import ApiToken

SECRET_PREFIX = "lkp_"  # noqa: S105 (what every secret begins with, not a secret)
# Longer than any secret issued ("lkp_" and 43 characters): a longer one is not hashed.
SECRET_MAX_LENGTH = 100


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_for_secret(*, secret: str) -> ApiToken | None:
    """The token in force whose secret this is; None for an unknown, malformed or
    revoked one (the caller answers all three alike)."""
    if (
        not secret.startswith(SECRET_PREFIX)
        or len(secret) > SECRET_MAX_LENGTH
        or not secret.isascii()
    ):
        return None
    return (
        ApiToken.objects.using("default")
        .filter(key_hash=api_token_hash(secret), revoked_at=None)
        .first()
    )


def api_tokens_list() -> QuerySet[ApiToken]:
    """Every token, in force first, newest first, with who issued and revoked it."""
    return ApiToken.objects.select_related("issued_by", "revoked_by").order_by(
        F("revoked_at").desc(nulls_first=True), "-issued_at", "-pk"
    )


def api_token_get(*, pk: int) -> ApiToken | None:
    return ApiToken.objects.filter(pk=pk).first()

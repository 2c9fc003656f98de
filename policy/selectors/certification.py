"""Reads of certification that the catalog uses to show stars (the policy's low layer).

A certificate counts only while it is in force and within its dates, computed at
read time: expiry removes the badge the day after ``expires_on`` with no job, and a
revocation removes it with the write.
"""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from policy.models import Certificate


def valid_certificates(*, today: date | None = None) -> QuerySet[Certificate]:
    """Certificates whose stars show on ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(
        status=Certificate.Status.ACTIVE, issued_on__lte=today, expires_on__gte=today
    )


def stars_subquery(*, today: date | None = None, field: str = "stars") -> Subquery:
    """A product's stars (or another ``field`` of its certificate, such as ``number``)
    while certified, else NULL: for ``.annotate(stars=…)`` on a product queryset (one
    correlated lookup on the one-active-per-product index)."""
    return Subquery(
        valid_certificates(today=today).filter(product_id=OuterRef("pk")).values(field)[:1]
    )


def certificate_lookup(*, number: str) -> Certificate | None:
    """The certificate with this number (already normalised), whatever its state."""
    if not number:
        return None
    return (
        Certificate.objects.select_related("product__cooperative", "issuer", "replaced_by")
        .filter(number__iexact=number)
        .first()
    )


def certificate_get(*, pk: int) -> Certificate:
    """One certificate with what its pages show (404 when there is none)."""
    return get_object_or_404(
        Certificate.objects.select_related("product__cooperative", "issuer", "revoked_by"), pk=pk
    )


def certificate_in_force(*, product_id: int) -> Certificate | None:
    """The product's active certificate (the one a re-rating replaces), whatever its dates."""
    return Certificate.objects.filter(
        product_id=product_id, status=Certificate.Status.ACTIVE
    ).first()


def certificates_registry(
    *, number: str = "", valid_on: date | None = None
) -> QuerySet[Certificate]:
    """Certificates, newest first, with their product, its cooperative and the
    certificate that replaced each: only the one numbered ``number`` (already
    normalised) when given, only those in force on ``valid_on`` when given."""
    certificates = (
        valid_certificates(today=valid_on) if valid_on is not None else Certificate.objects.all()
    )
    if number:
        certificates = certificates.filter(number__iexact=number)
    return certificates.select_related("product__cooperative", "replaced_by").order_by(
        "-issued_on", "-pk"
    )

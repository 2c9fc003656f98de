"""Certification: a regulator scores a product on the three OCOP criteria groups and
awards 3, 4 or 5 stars; a re-rating replaces the certificate, a revocation ends it, and
managers are reminded 90 and 30 days before it expires."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.pagecache import catalog_changed
from marketplace.audit import Action, audit_record
from marketplace.identifiers import identifier_normalise
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from policy.errors import CertificationRefused, NotAllowed
from policy.models import Certificate, CertificateReminder
from policy.models.certification import SCORE_MAXIMA, stars_for

VALIDITY_MONTHS = 36
REMINDER_DAYS = (30, 90)  # the most urgent first


def certificate_default_expiry(issued_on: date) -> date:
    """36 months after ``issued_on`` (the last day of the month when it has fewer days)."""
    months = issued_on.month - 1 + VALIDITY_MONTHS
    year, month = issued_on.year + months // 12, months % 12 + 1
    return issued_on.replace(
        year=year, month=month, day=min(issued_on.day, calendar.monthrange(year, month)[1])
    )


def _check_regulator(actor: User) -> None:
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can certify products."))


def _managers(product: Product) -> list[str]:
    from sellers.selectors import manager_emails

    return manager_emails(cooperative_ids=[product.cooperative_id]).get(product.cooperative_id, [])


def _email(certificate: Certificate, template: str, **context) -> None:
    emails_queue(
        messages=[
            Email(
                _managers(certificate.product),
                f"policy/email/{template}_subject.txt",
                f"policy/email/{template}.txt",
                {
                    "certificate": certificate,
                    "product": certificate.product,
                    "check_path": reverse("certificates:check") + f"?number={certificate.number}",
                    **context,
                },
            )
        ]
    )


@transaction.atomic
def certificate_award(
    *,
    product: Product,
    actor: User,
    number: str,
    level: str,
    score_community: int,
    score_marketing: int,
    score_quality: int,
    issued_on: date,
    expires_on: date | None = None,
) -> Certificate:
    """Certify ``product`` (or re-rate it: its certificate in force is replaced and kept)."""
    _check_regulator(actor)
    scores = {
        "score_community": score_community,
        "score_marketing": score_marketing,
        "score_quality": score_quality,
    }
    for field, maximum in SCORE_MAXIMA.items():
        if not 0 <= scores[field] <= maximum:
            raise CertificationRefused(
                _("Each group's score is between 0 and its maximum (%(max)s here).")
                % {"max": maximum}
            )
    total = sum(scores.values())
    stars = stars_for(total)
    if not stars:
        raise CertificationRefused(
            _("A total of %(total)s is below 50: the product is not certified.") % {"total": total}
        )
    number = identifier_normalise(number)
    if not number:
        raise CertificationRefused(_("Give the certificate's number."))
    expires_on = expires_on or certificate_default_expiry(issued_on)
    if expires_on <= issued_on:
        raise CertificationRefused(_("The expiry date must come after the issue date."))
    if Certificate.objects.filter(number__iexact=number).exists():
        raise CertificationRefused(_("Another certificate already has this number."))
    product = Product.objects.select_related("cooperative").get(pk=product.pk)
    previous = (
        Certificate.objects.select_for_update()
        .filter(product=product, status=Certificate.Status.ACTIVE)
        .first()
    )
    if previous is not None:
        previous.status = Certificate.Status.REPLACED
        previous.save(update_fields=["status"])
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                product=product,
                number=number,
                level=level,
                issuer=actor,
                issued_on=issued_on,
                expires_on=expires_on,
                score=total,
                stars=stars,
                replaces=previous,
                **scores,
            )
    except IntegrityError:  # the same number, or another rating of this product, just now
        raise CertificationRefused(
            _("Another certificate already has this number, or the product was just re-rated.")
        ) from None
    audit_record(
        action=Action.CERTIFICATE_AWARDED,
        actor=actor,
        cooperative_id=product.cooperative_id,
        subject=product.title,
        detail={
            "certificate": certificate.pk,
            "number": number,
            "stars": stars,
            "score": total,
            "replaces": previous.pk if previous else None,
        },
    )
    _email(certificate, "certificate_awarded", rerated=previous is not None)
    catalog_changed()
    return certificate


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor: User, reason: str, note: str = ""
) -> Certificate:
    """End a certificate in force, with a reason from the list: the stars go at once."""
    _check_regulator(actor)
    if reason not in Certificate.RevocationReason.values:
        raise CertificationRefused(_("Choose the reason for the revocation."))
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("product__cooperative")
        .get(pk=certificate.pk)
    )
    if certificate.status != Certificate.Status.ACTIVE:
        raise CertificationRefused(_("Only a certificate in force can be revoked."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revocation_reason = reason
    certificate.revocation_note = note.strip()
    certificate.save(
        update_fields=["status", "revoked_at", "revoked_by", "revocation_reason", "revocation_note"]
    )
    audit_record(
        action=Action.CERTIFICATE_REVOKED,
        actor=actor,
        cooperative_id=certificate.product.cooperative_id,
        subject=certificate.product.title,
        detail={"certificate": certificate.pk, "number": certificate.number, "reason": reason},
    )
    _email(certificate, "certificate_revoked")
    catalog_changed()
    return certificate


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Email the managers of each certificate in force that expires within 30 or 90 days
    and has not had that reminder (nor a more urgent one): each reminder once, however
    often the job runs. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMINDER_DAYS:
        with transaction.atomic():
            due = list(
                Certificate.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("product")
                .filter(
                    status=Certificate.Status.ACTIVE,
                    expires_on__gte=today,
                    expires_on__lte=today + timedelta(days=days),
                )
                .exclude(
                    Exists(
                        CertificateReminder.objects.filter(
                            certificate=OuterRef("pk"), days_before__lte=days
                        )
                    )
                )
                .order_by("pk")
            )
            if not due:
                continue
            CertificateReminder.objects.bulk_create(
                CertificateReminder(certificate=certificate, days_before=days)
                for certificate in due
            )
            for certificate in due:
                _email(
                    certificate,
                    "certificate_expiring",
                    days_left=(certificate.expires_on - today).days,
                )
            sent += len(due)
    return sent

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from marketplace.storage import private_storage


def _logo_path(instance, filename: str) -> str:
    return f"cooperatives/{instance.slug}/logo/{secrets.token_hex(6)}-{filename}"


def _licence_path(instance, filename: str) -> str:
    return f"cooperatives/{instance.pk}/licence/{secrets.token_hex(8)}-{filename}"


class Cooperative(models.Model):
    """A producer cooperative or small enterprise that sells on the marketplace."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class PayoutMethod(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        MOBILE_MONEY = "mobile_money", _("Mobile money")

    # The only status moves there are; sellers.services.cooperative_transition checks them.
    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.REJECTED: {Status.PENDING},
        Status.VERIFIED: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.VERIFIED},
    }

    legal_name = models.CharField(_("legal name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    registration_number = models.CharField(_("registration number"), max_length=64)
    country = CountryField(_("country"))
    province = models.ForeignKey(
        "marketplace.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperatives",
    )
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        help_text=_("For a cooperative registered abroad: its own state, province or region."),
    )
    commune = models.CharField(_("commune or village"), max_length=120, blank=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("member producers"), default=0)
    story = models.TextField(_("story"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=_logo_path, blank=True)
    logo_thumbnail = models.ImageField(_("logo thumbnail"), upload_to=_logo_path, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    tax_identifier = models.CharField(_("tax identifier"), max_length=64, blank=True)
    payout_method = models.CharField(
        _("payout method"), max_length=16, choices=PayoutMethod.choices, blank=True
    )
    payout_account = models.CharField(
        _("payout account"),
        max_length=120,
        blank=True,
        help_text=_("Bank name and account number, or the mobile-money number."),
    )
    business_licence = models.FileField(
        _("business licence"), upload_to=_licence_path, storage=private_storage, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "registration_number"],
                name="cooperative_registration_unique_per_country",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "verified", "rejected", "suspended"]),
                name="cooperative_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "province"])]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_cross_border(self) -> bool:
        """Derived, never typed in: registered outside the marketplace's home country."""
        return self.country.code != settings.MARKETPLACE_COUNTRY

    @property
    def can_publish(self) -> bool:
        return self.status == self.Status.VERIFIED

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class CooperativeStatusChange(models.Model):
    """The audit trail of a cooperative's status: who moved it, when, from what, why."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=Cooperative.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=Cooperative.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("cooperative status change")
        verbose_name_plural = _("cooperative status changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.from_status or '-'} → {self.to_status}"


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.cooperative} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An emailed invitation to join a cooperative; the link works for an existing
    account or a new one, and only for the invited address."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.cooperative}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

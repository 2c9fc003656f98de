"""Listing rules and the trail of their changes."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy import kinds


class ListingRule(models.Model):
    """A rule the regulator edits. Categories cover their descendants.

    What a rule of each kind means, and which of the fields below it uses, is said by
    its kind in ``policy.kinds`` (the registry that also gives ``kind``'s choices).
    """

    Kind = kinds.Kind

    class Certificate(models.TextChoices):
        HALAL = "halal", _("Halal certificate")
        NATIONAL_STANDARD = "national_standard", _("National standard certificate")
        FOOD_SAFETY = "food_safety", _("Food-safety registration")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    categories = models.ManyToManyField(
        "catalog.Category",
        verbose_name=_("categories"),
        related_name="+",
        blank=True,
        help_text=_(
            "Protected or certificate-bound categories; for the minimum price, the exempt "
            "categories. Each covers its subcategories."
        ),
    )
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    is_active = models.BooleanField(_("active"), default=True)
    min_price_usd = models.DecimalField(
        _("minimum price (USD)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    usd_rate = models.DecimalField(
        _("reference exchange rate"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("Units of the marketplace currency for one US dollar."),
    )
    certificate_kind = models.CharField(
        _("certificate"), max_length=24, choices=Certificate.choices, blank=True
    )
    certificate_format = models.CharField(
        _("certificate number format"),
        max_length=200,
        blank=True,
        help_text=_(
            "A regular expression the whole number must match, e.g. MD [0-9]{12}. "
            "Leave empty for the certificate's usual format."
        ),
    )
    enforced_on = models.DateField(
        _("last enforced on"),
        null=True,
        blank=True,
        help_text=_("Set when the listings were re-evaluated after the rule took effect."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("listing rule")
        verbose_name_plural = _("listing rules")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    def in_force(self, on=None) -> bool:
        return self.is_active and self.effective_from <= (on or timezone.localdate())


class RuleChange(models.Model):
    """Audit of rule edits: who, when, what the rule said afterwards."""

    rule = models.ForeignKey("policy.ListingRule", on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.action} {self.created_at:%Y-%m-%d}"

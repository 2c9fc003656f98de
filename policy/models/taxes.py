"""Tax rules the regulator edits: VAT-style rates charged to the buyer and withholding
taken from the seller's gross, each with a scope and effective dates."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import acting_user


class TaxRule(models.Model):
    """One rate in force between two dates. For a line, the VAT is the rate of the most
    specific VAT rule that applies (a category's reduced rate over the general one);
    withholding adds up every withholding rule that applies (Vietnam withholds VAT and
    personal income tax). Categories cover their subcategories."""

    class Kind(models.TextChoices):
        VAT = "vat", _("VAT charged to the buyer")
        WITHHOLDING = "withholding", _("Withholding from the seller's gross")

    class Sellers(models.TextChoices):
        ALL = "all", _("All sellers")
        CROSS_BORDER = "cross_border", _("Cross-border sellers only")
        LOCAL = "local", _("Local sellers only")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # What is levied (VAT, personal income tax…): two withholding rules of one scope may
    # stand side by side when they levy different taxes.
    levy = models.CharField(_("tax levied"), max_length=40)
    title = models.CharField(_("title"), max_length=160)
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    rate = models.DecimalField(
        _("rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("A fraction: 0.11 for 11 %."),
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        verbose_name=_("only these categories"),
        related_name="+",
        blank=True,
    )
    exempt_categories = models.ManyToManyField(
        "catalog.Category",
        verbose_name=_("exempt categories"),
        related_name="+",
        blank=True,
    )
    sellers = models.CharField(
        _("sellers"), max_length=12, choices=Sellers.choices, default=Sellers.ALL
    )
    min_yearly_turnover = models.DecimalField(
        _("only sellers whose yearly turnover reaches"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "levy", "-effective_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lt=1), name="tax_rule_rate_fraction"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="tax_rule_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


class TaxPeriod(models.Model):
    """A month of tax collection (``period`` is its first day): collected, then remitted
    to the authority with a payment reference, after which it is frozen."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REMITTED = "remitted", _("Remitted")

    period = models.DateField(_("period"), unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # When a regulator asked for a collection from the page (a worker runs it).
    requested_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(_("collected on"), null=True, blank=True)
    remitted_at = models.DateTimeField(_("remitted on"), null=True, blank=True)
    remitted_by = acting_user()
    reference = models.CharField(_("payment reference"), max_length=80, blank=True)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period.strftime("%Y-%m")

    @property
    def collection_waiting(self) -> bool:
        """A regulator asked for a collection that no worker has finished since."""
        if self.requested_at is None:
            return False
        return self.collected_at is None or self.requested_at > self.collected_at


class TaxAssessment(models.Model):
    """What one cooperative owes for one period and kind of tax: its completed sales,
    less the returns accepted in the period, and the tax on them. Recomputed from the
    lines the period covers, so a rerun gives the same figures."""

    cooperative = models.ForeignKey(
        "sellers.Cooperative", on_delete=models.PROTECT, related_name="tax_assessments"
    )
    period = models.DateField(_("period"))
    kind = models.CharField(_("kind"), max_length=12, choices=TaxRule.Kind.choices)
    gross = models.DecimalField(_("completed sales"), max_digits=18, decimal_places=2)
    returned = models.DecimalField(_("returns"), max_digits=18, decimal_places=2)
    tax = models.DecimalField(_("tax"), max_digits=18, decimal_places=2)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "cooperative_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "period", "kind"], name="tax_assessment_once"
            )
        ]
        indexes = [models.Index(fields=["period", "kind"])]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.period:%Y-%m} {self.kind}"

    @property
    def base(self):
        return self.gross - self.returned


class CommissionRate(models.Model):
    """The platform's commission on a cooperative's sales, from a date (audited when the
    administrators change it; a statement uses the rate in force on its period's first day)."""

    rate = models.DecimalField(
        _("commission rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.5"))],
    )
    effective_from = models.DateField(_("effective from"), unique=True)
    set_by = acting_user()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.rate} from {self.effective_from}"


class Payout(models.Model):
    """What the platform pays one cooperative for one period: pending until released
    (with a reference) or held."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RELEASED = "released", _("Released")
        HELD = "held", _("Held")

    cooperative = models.ForeignKey(
        "sellers.Cooperative", on_delete=models.PROTECT, related_name="payouts"
    )
    period = models.DateField(_("period"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=0)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = acting_user()

    class Meta:
        ordering = ["-period", "cooperative_id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "period"], name="payout_once")
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.period:%Y-%m} {self.status}"

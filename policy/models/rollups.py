"""The monitoring dashboard's rollups: the market's figures per day, built by a job from
the orders, the cooperatives and the regulator's records, so that the dashboard, the
reports and the data API never read raw order lines.

A day's rows are rebuilt whole (deleted and inserted again in one transaction): a
rebuild is idempotent, and today's rows are rebuilt every few minutes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2, "default": 0}


class SalesRollup(models.Model):
    """One day's sales of one cooperative in one category (the product's category when
    it was read; none for a deleted product), with where the cooperative is. Refunds are
    counted on the day the return was accepted, in rows of their own."""

    day = models.DateField()
    cooperative = models.ForeignKey(
        "sellers.Cooperative", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    province = models.ForeignKey(
        "marketplace.Province",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # indexed below, with the days
    )
    commune = models.CharField(max_length=120, blank=True)
    cross_border = models.BooleanField(default=False)
    # Order parts: an order from several cooperatives counts once for each of them, in
    # the category of its first line.
    orders = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    gross = models.DecimalField(**MONEY)  # before VAT
    refunds = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    withholding = models.DecimalField(**MONEY)

    class Meta:
        indexes = [
            models.Index(fields=["day", "province"], name="salesrollup_day"),
            models.Index(fields=["cooperative", "day"], name="salesrollup_cooperative"),
            # A province's drill-down (its communes, its cooperatives) read from the index
            # alone on PostgreSQL: a province's rows lie scattered over the days' pages.
            models.Index(
                fields=["province", "day"],
                include=["cooperative", "commune", "gross", "orders"],
                name="salesrollup_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cooperative_id} {self.category_id}"


class MarketRollup(models.Model):
    """The market's sales of one day, or of one month, in one province and category,
    home or abroad: ``SalesRollup``'s sums without the cooperatives, built from its rows
    (``policy.services.rollups``), so the market-wide figures read a few rows per day
    and, for the months a period covers whole, a few per month.

    A month's rows repeat the sums of its days' rows: a reader takes the month rows of
    the whole months and the day rows of the days around them, never both for a day."""

    class Span(models.TextChoices):
        DAY = "day"
        MONTH = "month"

    span = models.CharField(max_length=5, choices=Span.choices)
    day = models.DateField()  # the month's first day, for a month
    province = models.ForeignKey(
        "marketplace.Province",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    cross_border = models.BooleanField(default=False)
    orders = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    gross = models.DecimalField(**MONEY)
    refunds = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    withholding = models.DecimalField(**MONEY)

    class Meta:
        # Every reader takes a period's rows first, then its province, category or origin
        # among them (a few hundred rows): no index of their own, fewer to write.
        indexes = [models.Index(fields=["span", "day"], name="marketrollup_span_day")]

    def __str__(self) -> str:
        return f"{self.span} {self.day} {self.province_id} {self.category_id}"


class CooperativeRollup(models.Model):
    """Which days of one month, or which months of one year, a cooperative had sales in
    one category (with its province, home or abroad): one bit each, the first day or
    month in bit 0. Built from ``SalesRollup`` (a month) and from the month rows (a
    year), so that counting the distinct cooperatives of a period reads one row per
    cooperative and year, plus one per edge month, rather than one per day.

    ``sold``: the days or months with orders; ``seen``: those with any row, refunds
    included (what ``SalesRollup`` rows a count of cooperatives would meet)."""

    class Span(models.TextChoices):
        MONTH = "month"
        YEAR = "year"

    span = models.CharField(max_length=5, choices=Span.choices)
    day = models.DateField()  # the first day of the month or of the year
    cooperative = models.ForeignKey(
        "sellers.Cooperative", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        "marketplace.Province",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    cross_border = models.BooleanField(default=False)
    sold = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)

    class Meta:
        # As for the market's rows: a period's rows first, then the rest among them.
        indexes = [models.Index(fields=["span", "day"], name="cooperativerollup_span_day")]

    def __str__(self) -> str:
        return f"{self.span} {self.day} {self.cooperative_id} {self.category_id}"


class ActivityRollup(models.Model):
    """One day's count of one kind of market event, where it happened (the cooperative's
    province) and in what category (none for events about cooperatives)."""

    class Kind(models.TextChoices):
        ONBOARDED = "onboarded", _("Cooperatives registered")
        VERIFIED = "verified", _("Cooperatives verified")
        SUSPENDED = "suspended", _("Cooperatives suspended")
        BLOCKED = "blocked", _("Listings blocked")
        RECALLED = "recalled", _("Products recalled")
        CERTIFIED = "certified", _("Certificates issued")

    day = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    province = models.ForeignKey(
        "marketplace.Province", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cross_border = models.BooleanField(default=False)
    # The rule that blocked (blocked listings only).
    rule = models.ForeignKey(
        "policy.ListingRule", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="activityrollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.count}"


class RollupDay(models.Model):
    """When a day's rollups were last built (the dashboard says how fresh it is)."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day} built {self.built_at:%Y-%m-%d %H:%M}"

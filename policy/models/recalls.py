"""Recalls: a regulator takes one product, or every product of a cooperative, off the
market, with what a public recall notice carries (hazard, risk, measures, what buyers
should do)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import acting_user


class Recall(models.Model):
    """One recall notice. Its products are the rows of :class:`RecallProduct`; closing
    it ends it for them all and keeps it, and its products, in the history."""

    class Scope(models.TextChoices):
        PRODUCT = "product", _("One product")
        COOPERATIVE = "cooperative", _("Every product of the cooperative")

    class Risk(models.TextChoices):
        SERIOUS = "serious", _("Serious")
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class BuyerAction(models.TextChoices):
        RETURN = "return", _("Return it to the cooperative")
        STOP_USING = "stop_using", _("Stop using it")
        DISPOSE = "dispose", _("Dispose of it safely")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    cooperative = models.ForeignKey(
        "sellers.Cooperative",
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="recalls",
    )
    # The product recalled when the scope is one product (its cooperative's otherwise).
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hazard = models.TextField(_("hazard"))
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    measures = models.TextField(_("measures taken"))
    buyer_action = models.CharField(
        _("what buyers should do"), max_length=12, choices=BuyerAction.choices
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    product_count = models.PositiveIntegerField(_("products"), default=0)
    opened_at = models.DateTimeField(_("recalled on"), default=timezone.now)
    opened_by = acting_user()
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closed_by = acting_user()
    close_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="cooperative", product__isnull=True)
                | models.Q(scope="product", product__isnull=False),
                name="recall_product_matches_scope",
            ),
        ]
        indexes = [models.Index(fields=["status", "-opened_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return self.number_for(self.pk)

    @staticmethod
    def number_for(pk: int | None) -> str:
        return f"RC-{pk or 0:06d}"


class RecallProduct(models.Model):
    """One product under one recall. A product is under at most one open recall: the
    database refuses a second (two regulators recalling it at once included)."""

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recall", "product"], name="recall_product_once"),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(open=True),
                name="recall_product_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recall_id}:{self.product_id}"

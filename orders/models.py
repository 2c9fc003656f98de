import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from marketplace.models import StatusChange, acting_user
from marketplace.money import MONEY_FIELD

MONEY = MONEY_FIELD
MAX_QUANTITY = 1000


class Cart(models.Model):
    """A buyer's cart: an account's (``user``) or an anonymous visitor's (``session_key``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    session_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(session_key__isnull=False),
                name="cart_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    # The price the buyer saw when adding: the cart says so when it has changed.
    unit_price_seen = models.DecimalField(**MONEY)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY),
                name="cart_line_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class Order(models.Model):
    """One checkout: split into one seller order per cooperative."""

    class Payment(models.TextChoices):
        ON_DELIVERY = "on_delivery", _("Cash or mobile money on delivery")
        SANDBOX = "sandbox", _("Sandbox payment (testing)")

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    # The checkout form's token: a double-submitted or retried checkout finds its order.
    token = models.UUIDField(unique=True, default=uuid.uuid4)
    payment_method = models.CharField(max_length=16, choices=Payment.choices)
    paid_at = models.DateTimeField(null=True, blank=True)
    ship_name = models.CharField(_("name"), max_length=150)
    ship_phone = models.CharField(_("phone"), max_length=32)
    ship_country = CountryField(_("country"))
    ship_province = models.CharField(_("province"), max_length=120, blank=True)
    ship_commune = models.CharField(_("commune or village"), max_length=120, blank=True)
    ship_street = models.CharField(_("street and number"), max_length=250)
    subtotal = models.DecimalField(**MONEY)
    vat_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(vat_total__gte=0) & Q(total__gte=0),
                name="order_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"Order {self.number}"

    @property
    def number(self) -> str:
        return self.number_for(self.pk)

    @staticmethod
    def number_for(pk: int) -> str:
        """The number buyers see for the order with this id (LP-000042)."""
        return f"LP-{pk:06d}"

    @property
    def cancelled_total(self) -> Decimal:
        """What the cancelled parts would have cost (reads the prefetched parts)."""
        return sum(
            (so.total for so in self.seller_orders.all() if so.status == "cancelled"),
            Decimal("0"),
        )

    @property
    def total_due(self) -> Decimal:
        return self.total - self.cancelled_total


class SellerOrder(models.Model):
    """A cooperative's part of an order, with its own status."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        ON_HOLD = "on_hold", _("On hold")

    TRANSITIONS = {
        Status.PLACED: {Status.CONFIRMED, Status.CANCELLED, Status.ON_HOLD},
        Status.CONFIRMED: {Status.SHIPPED, Status.CANCELLED, Status.ON_HOLD},
        Status.ON_HOLD: {Status.CONFIRMED, Status.CANCELLED},
        Status.SHIPPED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }
    BUYER_MAY = {Status.CANCELLED}
    # Parts the cooperative still has to move (confirm, ship or mark delivered): the
    # queue opens on these.
    NEEDS_ACTION = {Status.PLACED, Status.ON_HOLD, Status.CONFIRMED, Status.SHIPPED}
    SELLER_MAY = {Status.CONFIRMED, Status.SHIPPED, Status.DELIVERED, Status.CANCELLED}

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="seller_orders")
    cooperative = models.ForeignKey(
        "sellers.Cooperative", on_delete=models.PROTECT, related_name="seller_orders"
    )
    cooperative_name = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLACED)
    subtotal = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    withholding = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_reference = models.CharField(_("tracking reference"), max_length=80, blank=True)
    cash_received_at = models.DateTimeField(null=True, blank=True)
    # When the sale completed: delivered and paid, whichever came last.
    completed_at = models.DateTimeField(null=True, blank=True)
    # The tax period (its first day) whose assessment counts this part's lines, set once
    # when the sale completes (the month it completes in, always still open), so that no
    # line is ever counted twice; a completed part left without one is given the next
    # period collected.
    tax_period = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["cooperative", "status", "-created_at"]),
            # A period's parts, cooperative by cooperative (the collection's batches).
            models.Index(fields=["tax_period", "cooperative"], name="sellerorder_tax_period"),
            # Completed parts no period counts yet: empty but for the ones a collection
            # has to pick up, so finding them costs nothing in a month of sales.
            models.Index(
                fields=["completed_at"],
                condition=Q(tax_period__isnull=True, completed_at__isnull=False),
                name="sellerorder_unassessed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(vat__gte=0) & Q(total__gte=0),
                name="seller_order_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.cooperative_name}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class OrderLine(models.Model):
    """What the buyer bought, as they saw it: a snapshot that later edits do not touch."""

    # Indexed below, with the figures a period's sums read.
    seller_order = models.ForeignKey(
        SellerOrder, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=160)
    cooperative_name = models.CharField(max_length=200)
    cooperative_country = CountryField()
    unit = models.CharField(max_length=8)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=6, decimal_places=4)
    vat_amount = models.DecimalField(**MONEY)
    withholding_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0"))
    withholding_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        indexes = [
            # A part's lines, and on PostgreSQL what the tax collection sums, read from
            # the index alone (a month of lines without a visit to the table).
            models.Index(
                fields=["seller_order"],
                include=["unit_price", "quantity", "vat_amount", "withholding_amount"],
                name="orderline_part_figures",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity"),
            models.CheckConstraint(
                condition=Q(unit_price__gt=0) & Q(vat_amount__gte=0) & Q(line_total__gt=0),
                name="order_line_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"


class SellerOrderStatusChange(StatusChange):
    seller_order = models.ForeignKey(
        SellerOrder, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=SellerOrder.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=SellerOrder.Status.choices)

    class Meta(StatusChange.Meta):
        pass


class ReturnRequest(models.Model):
    """A buyer asks, within the return window after delivery, to return lines."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    TRANSITIONS = {
        Status.REQUESTED: {Status.ACCEPTED, Status.REFUSED},
        Status.ACCEPTED: set(),
        Status.REFUSED: set(),
    }

    seller_order = models.ForeignKey(SellerOrder, on_delete=models.CASCADE, related_name="returns")
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    refund_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    restocked = models.BooleanField(default=False)
    response = models.TextField(_("response"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = acting_user(on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="refund_not_negative")
        ]

    def __str__(self) -> str:
        return f"return {self.pk} of {self.seller_order_id}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class ReturnRequestStatusChange(StatusChange):
    """The trail of a return: asked, then accepted or refused, by whom and when."""

    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=ReturnRequest.Status.choices)

    class Meta(StatusChange.Meta):
        pass


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="returns")
    quantity = models.PositiveIntegerField()
    # The tax period whose assessment nets this return: the month it is accepted in (or,
    # when its sale had not completed yet, the first period collected after).
    tax_period = models.DateField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order_line"], name="order_line_returned_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"


class Review(models.Model):
    """A buyer's rating of a delivered product, once per order line; the cooperative
    may reply once."""

    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="review")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.product_id}"

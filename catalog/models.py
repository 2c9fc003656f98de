import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

if TYPE_CHECKING:
    from policy.evaluation import Decision

MAX_PRICE = Decimal("999999999999.99")
MAX_STOCK = 10_000_000


class Category(MP_Node):
    """A node of the catalog tree, stored as a materialised path.

    The path makes "this category and everything under it" one indexed prefix
    query, which the listing policy and the category filters both rely on. Names
    and descriptions have one column per site language (django-modeltranslation).
    Siblings keep their insertion order (no ``node_order_by``): adding a category
    never rewrites the paths of the others.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


def _photo_path(instance, filename: str) -> str:
    return f"products/{instance.product_id}/{secrets.token_hex(8)}-{filename}"


class Product(models.Model):
    """A listing of one cooperative. Writes go through ``catalog.services``, which
    ask ``policy`` for a decision on every path that could make a listing unlawful."""

    # Not a column: the decision the last catalog service call took on this listing,
    # for the caller to show (the trail of decisions is ``policy_decisions``).
    policy_decision: "Decision"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        UNPUBLISHED = "unpublished", _("Unpublished")
        BLOCKED = "blocked", _("Blocked by policy")
        SUSPENDED = "suspended", _("Suspended by policy")
        RECALLED = "recalled", _("Recalled")
        ARCHIVED = "archived", _("Archived")

    class Unit(models.TextChoices):
        PIECE = "piece", _("piece")
        KG = "kg", _("kg")
        LITRE = "litre", _("litre")
        PACK = "pack", _("pack")

    # Moves a seller may make; the system and regulators make the others
    # (blocked, suspended, recalled) through their own services.
    SELLER_TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.ARCHIVED},
        Status.ACTIVE: {Status.UNPUBLISHED, Status.ARCHIVED},
        Status.UNPUBLISHED: {Status.ACTIVE, Status.ARCHIVED},
        Status.BLOCKED: {Status.ACTIVE, Status.ARCHIVED},
        Status.SUSPENDED: {Status.ARCHIVED},
        Status.RECALLED: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
    }
    EDITABLE_STATUSES = {Status.DRAFT, Status.ACTIVE, Status.UNPUBLISHED, Status.BLOCKED}

    cooperative = models.ForeignKey(
        "sellers.Cooperative",
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    sku = models.CharField(
        _("SKU"),
        max_length=64,
        help_text=_("Your own reference for this product; the CSV import matches on it."),
    )
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    story = models.TextField(_("story"), blank=True)
    origin_province = models.ForeignKey(
        "marketplace.Province",
        verbose_name=_("origin province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_commune = models.CharField(_("origin commune or village"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    price = models.DecimalField(
        _("price"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    stock = models.PositiveIntegerField(_("stock"), default=0)
    certificate_number = models.CharField(
        _("certificate number"),
        max_length=64,
        blank=True,
        help_text=_("Halal, national standard or food-safety registration number, if any."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="product_stock_gte_0"),
            models.CheckConstraint(
                condition=models.Q(price__gt=0) & models.Q(price__lte=MAX_PRICE),
                name="product_price_positive",
            ),
            models.UniqueConstraint(fields=["cooperative", "sku"], name="product_sku_per_seller"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="product_status_published"),
            models.Index(fields=["category", "status"], name="product_category_status"),
            models.Index(fields=["cooperative", "status"], name="product_coop_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def seller_can_move_to(self, status: str) -> bool:
        return status in self.SELLER_TRANSITIONS.get(self.status, set())

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class ProductPhoto(models.Model):
    """One photo of a product, re-encoded, with the renditions the pages show."""

    MAX_PER_PRODUCT = 8
    SIZES = {"card": 400, "large": 1000}

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to=_photo_path)
    card = models.ImageField(upload_to=_photo_path)
    large = models.ImageField(upload_to=_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class ProductStatusChange(models.Model):
    """The trail of a product's status moved by a person (publish, archive, recall).
    Moves made by the listing policy are recorded as its decisions."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Product.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Product.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("product status change")
        verbose_name_plural = _("product status changes")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.from_status} → {self.to_status}"

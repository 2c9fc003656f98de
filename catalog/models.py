import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from catalog.signals import category_tree_changed
from marketplace.models import acting_user

if TYPE_CHECKING:
    from policy.evaluation import Decision

MAX_PRICE = Decimal("999999999999.99")
MAX_STOCK = 10_000_000


class CategoryManager(MP_NodeManager):
    def move(self, node, target, pos=None):
        """Move a branch (the admin's drag and drop and edit form, and
        :func:`catalog.services.categories.category_move` all come here), then
        announce it: which rules cover which listings may have changed."""
        result = super().move(node, target, pos=pos)
        category_tree_changed.send(sender=Category, category=node)
        return result


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

    objects = CategoryManager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


def _photo_path(instance, filename: str) -> str:
    return f"products/{instance.product_id}/{secrets.token_hex(8)}-{filename}"


class ProductQuerySet(models.QuerySet):
    def for_sale(self) -> "ProductQuerySet":
        """The one rule of what buyers may buy and see: an active listing of a verified
        (so not suspended) cooperative. Stock and the listing policy are checked on top,
        per quantity and per decision, by the cart and checkout."""
        return self.filter(status=Product.Status.ACTIVE, cooperative__status=VERIFIED)


# The cooperative status whose listings are for sale (sellers.Cooperative.Status.VERIFIED);
# spelled here so the catalog's models do not import the sellers' at load time.
VERIFIED = "verified"


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

    objects = ProductQuerySet.as_manager()

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

    def get_absolute_url(self) -> str:
        """The public product page (the admin's "View on site")."""
        return reverse("catalog:product", kwargs={"slug": self.slug})

    def can_move_to(self, status: str, *, trigger: str) -> bool:
        return trigger in TRANSITIONS.get((self.status, status), ())

    def seller_can_move_to(self, status: str) -> bool:
        return self.can_move_to(status, trigger=StatusTrigger.SELLER)

    @property
    def is_for_sale(self) -> bool:
        """``Product.objects.for_sale()`` for one loaded product (and its cooperative)."""
        return self.status == self.Status.ACTIVE and self.cooperative.status == VERIFIED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class StatusTrigger(models.TextChoices):
    """Who moves a listing's status: the one table below says which may make which move."""

    SELLER = "seller", _("seller")
    POLICY = "policy", _("listing policy")
    REGULATOR = "regulator", _("regulator")
    RECALL = "recall", _("recall")


_S, _T = Product.Status, StatusTrigger

# Every move a listing's status may make, and who may make it. ``catalog.services.status``
# is the only writer of ``Product.status`` and checks every move against this table.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (_S.DRAFT, _S.ACTIVE): frozenset({_T.SELLER}),
    (_S.UNPUBLISHED, _S.ACTIVE): frozenset({_T.SELLER}),
    (_S.BLOCKED, _S.ACTIVE): frozenset({_T.SELLER}),
    (_S.ACTIVE, _S.UNPUBLISHED): frozenset({_T.SELLER}),
    # A listing blocked by a rule at creation, edit or publication, and released again.
    (_S.DRAFT, _S.BLOCKED): frozenset({_T.POLICY}),
    (_S.ACTIVE, _S.BLOCKED): frozenset({_T.POLICY}),
    (_S.UNPUBLISHED, _S.BLOCKED): frozenset({_T.POLICY}),
    (_S.BLOCKED, _S.DRAFT): frozenset({_T.POLICY}),
    # Progressive closure suspends live listings and brings them back.
    (_S.ACTIVE, _S.SUSPENDED): frozenset({_T.POLICY, _T.REGULATOR}),
    (_S.SUSPENDED, _S.ACTIVE): frozenset({_T.POLICY, _T.REGULATOR}),
    # A recall takes any listing not archived out of the catalog; lifting it leaves the
    # listing unpublished, for its seller to publish again.
    **{(s, _S.RECALLED): frozenset({_T.RECALL}) for s in _S if s not in {_S.RECALLED, _S.ARCHIVED}},
    (_S.RECALLED, _S.UNPUBLISHED): frozenset({_T.RECALL}),
    **{(s, _S.ARCHIVED): frozenset({_T.SELLER}) for s in _S if s != _S.ARCHIVED},
}


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
    """The trail of a product's status: one row per move, whoever made it. A move
    made by the listing policy is also pointed at by its decision."""

    Trigger = StatusTrigger

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Product.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Product.Status.choices)
    trigger = models.CharField(max_length=10, choices=StatusTrigger.choices, default=_T.SELLER)
    actor = acting_user()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("product status change")
        verbose_name_plural = _("product status changes")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.from_status} → {self.to_status}"

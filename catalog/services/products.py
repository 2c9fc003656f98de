"""Writes of products. Every path that could make a listing unlawful asks the policy.

Create, edit (including a new category or price), publish, the CSV import and the
admin all end in :func:`_apply_policy`, which stores the decision and keeps a blocked
listing out of the catalog; there is no other way to make a product ``active`` than
:func:`product_publish` (and the policy's own release of suspended listings).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from catalog.locks import product_lock
from catalog.models import MAX_PRICE, MAX_STOCK, Category, Product, StatusTrigger
from catalog.pagecache import catalog_changed
from catalog.services.errors import (
    InsufficientStock,
    InvalidTransition,
    ListingBlocked,
    NotAllowed,
    ProductError,
)
from catalog.services.status import product_status_set
from marketplace.models import Province, User
from marketplace.money import STORAGE_UNIT
from marketplace.unset import field_names, fields_given
from policy.certificates import certificate_normalise
from policy.models import ListingDecision
from policy.services.decisions import listing_decide, listing_decision_record
from sellers.models import Cooperative
from sellers.selectors import cooperative_can_publish, is_member

Status = Product.Status
Trigger = ListingDecision.Trigger


class ProductFields(TypedDict, total=False):
    """A listing's own fields: the keywords of ``product_create`` and ``product_update``."""

    category: Category | None
    sku: str
    title: str
    description: str
    story: str
    origin_province: Province | None
    origin_commune: str
    unit: str
    price: Decimal | str | int
    stock: int
    certificate_number: str


PRODUCT_FIELDS = field_names(ProductFields)


def require_member(*, cooperative: Cooperative, actor: User) -> None:
    if not is_member(user=actor, cooperative_id=cooperative.pk):
        raise NotAllowed(_("Only members of the cooperative can change its products."))


def _clean_fields(given_fields: Mapping[str, Any]) -> dict[str, Any]:
    fields = fields_given(ProductFields, given_fields)
    if "price" in fields:
        try:
            price = Decimal(str(fields["price"]))
        except (InvalidOperation, ValueError):
            raise ProductError(_("Give the price as a number."), field="price") from None
        if not price.is_finite() or price <= 0 or price > MAX_PRICE:
            raise ProductError(
                _("The price must be more than 0 and at most %(max)s.") % {"max": MAX_PRICE},
                field="price",
            )
        if price != price.quantize(STORAGE_UNIT):
            raise ProductError(_("The price has at most two decimals."), field="price")
        fields["price"] = price
    if "stock" in fields:
        stock = fields["stock"]
        if not isinstance(stock, int) or isinstance(stock, bool) or not 0 <= stock <= MAX_STOCK:
            raise ProductError(
                _("Stock is a whole number from 0 to %(max)d.") % {"max": MAX_STOCK},
                field="stock",
            )
    if "category" in fields and not isinstance(fields["category"], Category):
        raise ProductError(_("Choose a category."), field="category")
    for name in ("title", "sku", "certificate_number", "origin_commune"):
        if name in fields and fields[name] is not None:
            fields[name] = str(fields[name]).strip()
    if fields.get("certificate_number"):
        fields["certificate_number"] = certificate_normalise(fields["certificate_number"])
    if "title" in fields and not fields["title"]:
        raise ProductError(_("Give the product a title."), field="title")
    return fields


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:180] or "product"
    slug = base
    others = Product.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _generated_sku() -> str:
    return f"P-{secrets.token_hex(4).upper()}"


def _category_names() -> Subquery:
    """The product's category name in every site language, as one text."""
    return Subquery(
        Category.objects.filter(pk=OuterRef("category_id"))
        .annotate(
            names=Concat(
                *(
                    part
                    for code, _name in settings.LANGUAGES
                    for part in (F(build_localized_fieldname("name", code)), Value(" "))
                ),
                output_field=TextField(),
            )
        )
        .values("names")
    )


def _cooperative_name() -> Subquery:
    return Subquery(Cooperative.objects.filter(pk=OuterRef("cooperative_id")).values("legal_name"))


def search_vector_refresh(*, products: QuerySet) -> None:
    """Recompute the full-text index of ``products``, set-based, on either back end.

    The index holds the title, the cooperative's name, the category's name in every
    site language (so "kopi" finds coffee listed in English), the origin and the
    texts. On PostgreSQL it is the ``search_vector`` column, in one UPDATE; the 'simple'
    configuration does not stem: titles mix Indonesian, English and French, and a
    stemmer for one language mangles the others. On SQLite (the embedded defaults) it
    is the FTS5 table ``catalog_product_fts`` (migration 0003), which tokenises the
    same text the same way: lower case, split on what is not a letter or a digit.
    """
    if connection.vendor == "postgresql":
        products.update(
            search_vector=SearchVector("title", weight="A", config="simple")
            + SearchVector(_category_names(), weight="B", config="simple")
            + SearchVector(_cooperative_name(), "origin_commune", weight="B", config="simple")
            + SearchVector("description", "story", weight="C", config="simple")
        )
        return
    if connection.vendor != "sqlite":
        return
    space = Value(" ")
    rows = products.order_by().annotate(
        search_body=Concat(
            "title",
            space,
            _category_names(),
            space,
            _cooperative_name(),
            space,
            "origin_commune",
            space,
            "description",
            space,
            "story",
            output_field=TextField(),
        )
    )
    rows = list(rows.values_list("pk", "search_body"))
    with connection.cursor() as cursor:
        cursor.executemany(
            "DELETE FROM catalog_product_fts WHERE rowid = %s", [(pk,) for pk, _body in rows]
        )
        cursor.executemany("INSERT INTO catalog_product_fts (rowid, body) VALUES (%s, %s)", rows)


# What a decision does to a listing's status, on an edit and after a re-judgement.
ON_EDIT = {
    False: {
        Status.DRAFT: Status.BLOCKED,
        Status.ACTIVE: Status.BLOCKED,
        Status.UNPUBLISHED: Status.BLOCKED,
    },
    True: {Status.BLOCKED: Status.DRAFT},
}
ON_REFRESH = {
    False: {Status.ACTIVE: Status.SUSPENDED},
    True: {Status.BLOCKED: Status.DRAFT, Status.SUSPENDED: Status.ACTIVE},
}


def _judge(*, product: Product, actor: User, trigger: str, moves: dict) -> Product:
    """Evaluate the saved listing, move its status as ``moves`` says for the outcome,
    and record the decision (which is also the audit row of the move)."""
    decision = listing_decide(product=product)
    before = product.status
    after = moves[decision.allowed].get(before, before)
    change = product_status_set(
        product=product, to_status=after, actor=actor, trigger=StatusTrigger.POLICY
    )
    listing_decision_record(
        product=product, decision=decision, trigger=trigger, actor=actor, status_change=change
    )
    product.policy_decision = decision
    catalog_changed()
    return product


def _apply_policy(*, product: Product, actor: User, trigger: str) -> Product:
    """After a create or an edit: a blocked listing leaves the catalog (``blocked``),
    one no longer blocked goes back to draft."""
    return _judge(product=product, actor=actor, trigger=trigger, moves=ON_EDIT)


@transaction.atomic
def product_create(
    *,
    cooperative: Cooperative,
    actor: User,
    trigger: str = Trigger.CREATE,
    by_admin: bool = False,
    **given_fields: Unpack[ProductFields],
) -> Product:
    """Create a draft listing and evaluate it at once, so the seller learns early."""
    if not by_admin:
        require_member(cooperative=cooperative, actor=actor)
    fields = _clean_fields(given_fields)
    for required in ("category", "title", "price"):
        if fields.get(required) in (None, ""):
            raise ProductError(_("This field is required."), field=required)
    if not fields.get("sku"):
        fields["sku"] = _generated_sku()
    if Product.objects.filter(cooperative=cooperative, sku=fields["sku"]).exists():
        raise ProductError(_("Another of your products has this SKU."), field="sku")
    fields.setdefault("origin_province", cooperative.province)
    fields.setdefault("origin_commune", cooperative.commune)
    product = Product.objects.create(
        cooperative=cooperative,
        slug=_unique_slug(fields["title"]),
        status=Status.DRAFT,
        **fields,
    )
    search_vector_refresh(products=Product.objects.filter(pk=product.pk))
    return _apply_policy(product=product, actor=actor, trigger=trigger)


def _locked(product: Product) -> Product:
    return product_lock(product_id=product.pk)


@transaction.atomic
def product_update(
    *,
    product: Product,
    actor: User,
    trigger: str = Trigger.EDIT,
    by_admin: bool = False,
    **given_fields: Unpack[ProductFields],
) -> Product:
    """Change a listing; a new category, price or certificate is judged again at once."""
    if not by_admin:
        require_member(cooperative=product.cooperative, actor=actor)
    fields = _clean_fields(given_fields)
    product = _locked(product)
    if not product.is_editable and not by_admin:
        raise NotAllowed(
            _("A listing that is %(status)s cannot be edited.")
            % {"status": product.get_status_display().lower()}
        )
    if fields.get("sku") == "":
        fields.pop("sku")
    if (
        "sku" in fields
        and fields["sku"] != product.sku
        and Product.objects.filter(cooperative=product.cooperative, sku=fields["sku"]).exists()
    ):
        raise ProductError(_("Another of your products has this SKU."), field="sku")
    changed = [name for name, value in fields.items() if getattr(product, name) != value]
    for name in changed:
        setattr(product, name, fields[name])
    if "title" in changed:
        product.slug = _unique_slug(product.title, exclude_pk=product.pk)
    if changed:
        product.save()
        search_vector_refresh(products=Product.objects.filter(pk=product.pk))
    return _apply_policy(product=product, actor=actor, trigger=trigger)


def product_publish(*, product: Product, actor: User, trigger: str = Trigger.PUBLISH) -> Product:
    """Make a listing active, if its cooperative may publish and the policy allows it.

    Raises ``ListingBlocked`` when a rule forbids it, after the block (status and
    decision) has been stored: the seller sees it in the workspace.
    """
    product = _publish(product=product, actor=actor, trigger=trigger)
    if product.status == Status.BLOCKED:
        raise ListingBlocked(product.policy_decision.reasons)
    return product


@transaction.atomic
def _publish(*, product: Product, actor: User, trigger: str) -> Product:
    require_member(cooperative=product.cooperative, actor=actor)
    product = _locked(product)
    if not cooperative_can_publish(cooperative=product.cooperative):
        raise NotAllowed(
            _("Only a verified cooperative can publish; yours is %(status)s.")
            % {"status": product.cooperative.get_status_display().lower()}
        )
    if not product.seller_can_move_to(Status.ACTIVE):
        raise InvalidTransition(
            _("A listing that is %(status)s cannot be published.")
            % {"status": product.get_status_display().lower()}
        )
    decision = listing_decide(product=product)
    change = product_status_set(
        product=product,
        to_status=Status.ACTIVE if decision.allowed else Status.BLOCKED,
        actor=actor,
        trigger=StatusTrigger.SELLER if decision.allowed else StatusTrigger.POLICY,
    )
    listing_decision_record(
        product=product, decision=decision, trigger=trigger, actor=actor, status_change=change
    )
    product.policy_decision = decision
    return product


def _seller_move(*, product: Product, actor: User, to_status: str) -> Product:
    require_member(cooperative=product.cooperative, actor=actor)
    product = _locked(product)
    if not product.seller_can_move_to(to_status):
        raise InvalidTransition(
            _("A listing that is %(status)s cannot become %(target)s.")
            % {
                "status": product.get_status_display().lower(),
                "target": Status(to_status).label.lower(),
            }
        )
    product_status_set(
        product=product, to_status=to_status, actor=actor, trigger=StatusTrigger.SELLER
    )
    return product


@transaction.atomic
def product_unpublish(*, product: Product, actor: User) -> Product:
    return _seller_move(product=product, actor=actor, to_status=Status.UNPUBLISHED)


@transaction.atomic
def product_archive(*, product: Product, actor: User) -> Product:
    return _seller_move(product=product, actor=actor, to_status=Status.ARCHIVED)


@transaction.atomic
def product_adjust_stock(
    *, product: Product, actor: User, delta: int | None = None, set_to: int | None = None
) -> Product:
    """Add ``delta`` (may be negative) or set the stock, never below zero nor above the cap.

    A conditional UPDATE with ``F()``: concurrent adjustments and checkouts never
    read-modify-write a stale count.
    """
    require_member(cooperative=product.cooperative, actor=actor)
    if (delta is None) == (set_to is None):
        raise TypeError("give delta or set_to")
    rows = Product.objects.filter(pk=product.pk)
    if set_to is not None:
        _clean_fields({"stock": set_to})
        updated = rows.update(stock=set_to, updated_at=timezone.now())
    else:
        if not isinstance(delta, int) or isinstance(delta, bool) or abs(delta) > MAX_STOCK:
            raise ProductError(_("Give a whole number."), field="stock")
        updated = rows.filter(stock__gte=-delta, stock__lte=MAX_STOCK - delta).update(
            stock=F("stock") + delta, updated_at=timezone.now()
        )
        if not updated:
            raise InsufficientStock(
                _("Stock cannot go below zero or above %(max)d.") % {"max": MAX_STOCK}
            )
    product.refresh_from_db(fields=["stock", "updated_at"])
    catalog_changed()
    return product


@transaction.atomic
def product_policy_refresh(*, product: Product, actor: User, trigger: str) -> Product:
    """Judge a listing again after an exemption or a seller change: a listing no
    longer forbidden leaves ``blocked`` (to draft) or ``suspended`` (back to active)."""
    return _judge(product=_locked(product), actor=actor, trigger=trigger, moves=ON_REFRESH)

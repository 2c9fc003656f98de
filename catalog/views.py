"""Catalog pages: public browsing, search and product pages, and the seller's
workspace for listings (create, edit, photos, stock, publication, CSV import, appeals).

Workspace pages act on the active cooperative of the session (see sellers.views);
a product or photo id from another cooperative is a 404.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.forms import (
    AppealForm,
    ImportForm,
    PhotoForm,
    PhotoMoveForm,
    ProductForm,
    SearchForm,
    StockForm,
)
from catalog.models import Category, Product, ProductPhoto
from catalog.pagecache import catalog_version
from catalog.services import imports, photos, products
from marketplace.forms import page_number
from marketplace.roles import Role, role_required
from orders.selectors import product_reviews
from policy.models import Appeal, ListingDecision
from policy.selectors.decisions import decision_history, latest_decisions
from policy.services.decisions import listing_decide
from sellers.models import Cooperative
from sellers.selectors import ACTIVE_COOPERATIVE_SESSION_KEY, active_membership

# --- Public ------------------------------------------------------------------------


def home(request):
    # Lazy: on a fragment-cache hit the template never asks, and no query runs.
    return render(
        request,
        "catalog/home.html",
        {
            "tree": SimpleLazyObject(selectors.category_tree),
            "featured": SimpleLazyObject(selectors.featured_products),
            "search_form": SearchForm(),
            "catalog_version": catalog_version(),
        },
    )


def _listing(request, *, category: Category | None, template: str, extra: dict):
    form = SearchForm(request.GET or None)
    form.is_valid()
    # A bad value in one filter drops that filter only: cleaned_data keeps the others.
    data = getattr(form, "cleaned_data", {})
    if category is None and data.get("category"):
        category = Category.objects.filter(slug=data["category"]).first()
    filters = selectors.ProductFilters(
        q=(data.get("q") or "").strip(),
        category=category,
        province_id=data["province"].pk if data.get("province") else None,
        min_price=data.get("min_price"),
        max_price=data.get("max_price"),
        in_stock=bool(data.get("in_stock")),
        cooperative_id=data.get("cooperative"),
        min_stars=int(data["min_stars"]) if data.get("min_stars") else None,
        sort=data.get("sort") or "",
    )
    page = SimpleLazyObject(
        lambda: selectors.page_of(
            selectors.product_search(filters=filters), number=data.get("page") or 1
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "filters": filters,
            "querystring": query.urlencode(),
            "filter_cooperative": SimpleLazyObject(
                Cooperative.objects.filter(pk=filters.cooperative_id).first
            )
            if filters.cooperative_id
            else None,
            "catalog_version": catalog_version(),
            **extra,
        },
    )


def browse(request):
    return _listing(request, category=None, template="catalog/browse.html", extra={})


def category(request, slug: str):
    node = selectors.category_by_slug(slug=slug)
    return _listing(
        request,
        category=node,
        template="catalog/browse.html",
        extra={
            "category": node,
            "ancestors": SimpleLazyObject(partial(selectors.category_ancestors, category=node)),
            "children": SimpleLazyObject(partial(selectors.category_children, category=node)),
        },
    )


def product_detail(request, slug: str):
    product = selectors.public_product(slug=slug, viewer=request.user)
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "photos": SimpleLazyObject(lambda: list(product.photos.all())),
            "ancestors": SimpleLazyObject(
                partial(selectors.category_ancestors, category=product.category)
            ),
            "is_public": product.is_for_sale,
            "catalog_version": catalog_version(),
            "reviews": SimpleLazyObject(lambda: product_reviews(product_id=product.pk)),
        },
    )


# --- Workspace ---------------------------------------------------------------------


def _membership(request):
    membership = active_membership(user=request.user, session=request.session)
    if membership is None:
        raise Http404
    return membership


def _cooperative(request):
    return _membership(request).cooperative


def _own_product(request, pk: int) -> Product:
    """A product of one of the user's cooperatives; opening one of another of them
    makes that cooperative the active one (a link from a product page just works)."""
    product = get_object_or_404(
        Product.objects.select_related("cooperative", "category"),
        pk=pk,
        cooperative__memberships__user=request.user,
    )
    if request.session.get(ACTIVE_COOPERATIVE_SESSION_KEY) != product.cooperative_id:
        request.session[ACTIVE_COOPERATIVE_SESSION_KEY] = product.cooperative_id
    return product


def _report_block(request, product: Product) -> None:
    decision = getattr(product, "policy_decision", None)
    if decision is not None and not decision.allowed:
        for reason in decision.reasons:
            messages.error(request, reason)


@role_required(Role.MEMBER)
def workspace_products(request):
    membership = _membership(request)
    cooperative = membership.cooperative
    status = request.GET.get("status", "")
    if status not in Product.Status.values:
        status = ""
    listing = selectors.cooperative_products(cooperative=cooperative, status=status)
    page = selectors.page_of(listing, number=page_number(request), size=50)
    return render(
        request,
        "catalog/workspace/products.html",
        {
            "cooperative": cooperative,
            "membership": membership,
            "page": page,
            "status": status,
            "statuses": Product.Status.choices,
        },
    )


def _saved(request, form: ProductForm, save, done: str):
    """Save a valid product form through ``save(actor=..., **fields)`` (the create or the
    update service): the product's page, saying ``done`` or why the policy blocked it;
    None when the form or the service refused, with the refusal on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        product = save(actor=request.user, **form.product_data())
    except products.ProductError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    if product.status == Product.Status.BLOCKED:
        _report_block(request, product)
    else:
        messages.success(request, done)
    return redirect("catalog:product_edit", pk=product.pk)


@role_required(Role.MEMBER)
def product_create(request):
    membership = _membership(request)
    cooperative = membership.cooperative
    form = ProductForm(request.POST or None)
    create = partial(products.product_create, cooperative=cooperative)
    saved = _saved(request, form, create, _("Saved as a draft. Add photos, then publish it."))
    return saved or render(
        request,
        "catalog/workspace/product_form.html",
        {"form": form, "cooperative": cooperative, "membership": membership},
    )


@role_required(Role.MEMBER)
def product_edit(request, pk: int):
    product = _own_product(request, pk)
    form = ProductForm(request.POST or None, instance=product)
    if not product.is_editable:
        for field in form.fields.values():
            field.disabled = True
    saved = _saved(request, form, partial(products.product_update, product=product), _("Saved."))
    if saved:
        return saved
    decisions = latest_decisions(product=product)
    blocking = [d for d in decisions if d.outcome == ListingDecision.Outcome.BLOCKED]
    if blocking:
        # Explain with today's words, in the reader's language and for this very listing
        # (a closure run records one reason per rule for all the listings it suspends).
        live = {b.rule_id: b.reason for b in listing_decide(product=product).blocks}
        for row in blocking:
            row.reason = live.get(row.rule_id, row.reason)
    return render(
        request,
        "catalog/workspace/product_edit.html",
        {
            "form": form,
            "product": product,
            "cooperative": product.cooperative,
            "membership": _membership(request),
            "appeals": Appeal.objects.filter(decision__product=product)
            .select_related("decision__rule")
            .order_by("-filed_at"),
            "photos": list(product.photos.all()),
            "photo_form": PhotoForm(),
            "stock_form": StockForm(initial={"set_to": product.stock}),
            "decisions": decisions,
            "blocking": blocking,
            "appeal_form": AppealForm(),
            "history": decision_history(product=product)[:20],
            "moves": product.status_changes.select_related("actor")[:20],
        },
    )


def _transition(request, pk: int, action) -> HttpResponse:
    product = _own_product(request, pk)
    try:
        product = action(product=product, actor=request.user)
    except products.ListingBlocked as exc:
        for reason in exc.reasons:
            messages.error(request, reason)
    except products.ProductError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The listing is now %(status)s.") % {"status": product.get_status_display().lower()},
        )
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def product_publish(request, pk: int):
    return _transition(request, pk, products.product_publish)


@role_required(Role.MEMBER)
@require_POST
def product_unpublish(request, pk: int):
    return _transition(request, pk, products.product_unpublish)


@role_required(Role.MEMBER)
@require_POST
def product_archive(request, pk: int):
    return _transition(request, pk, products.product_archive)


@role_required(Role.MEMBER)
@require_POST
def product_stock(request, pk: int):
    product = _own_product(request, pk)
    form = StockForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("catalog:product_edit", pk=pk)
    try:
        products.product_adjust_stock(
            product=product, actor=request.user, set_to=form.cleaned_data["set_to"]
        )
    except products.ProductError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Stock updated."))
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def photo_add(request, pk: int):
    product = _own_product(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photos.photo_add(
                product=product,
                actor=request.user,
                upload=form.cleaned_data["photo"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except products.ProductError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Photo added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("catalog:product_edit", pk=pk)


def _own_photo(request, pk: int, photo_pk: int) -> ProductPhoto:
    product = _own_product(request, pk)
    return get_object_or_404(
        ProductPhoto.objects.select_related("product"), pk=photo_pk, product=product
    )


@role_required(Role.MEMBER)
@require_POST
def photo_move(request, pk: int, photo_pk: int):
    photo = _own_photo(request, pk, photo_pk)
    form = PhotoMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["direction"][0])
    else:
        offset = -1 if form.cleaned_data["direction"] == "up" else 1
        photos.photo_move(photo=photo, actor=request.user, offset=offset)
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def photo_main(request, pk: int, photo_pk: int):
    photos.photo_make_main(photo=_own_photo(request, pk, photo_pk), actor=request.user)
    messages.success(request, _("This is now the main photo."))
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def photo_delete(request, pk: int, photo_pk: int):
    photos.photo_delete(photo=_own_photo(request, pk, photo_pk), actor=request.user)
    messages.success(request, _("Photo removed."))
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.MEMBER)
def product_import(request):
    membership = _membership(request)
    cooperative = membership.cooperative
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = imports.products_import(
                cooperative=cooperative, actor=request.user, upload=form.cleaned_data["file"]
            )
        except imports.ImportRefused as exc:
            form.add_error("file", exc.message)
    return render(
        request,
        "catalog/workspace/import.html",
        {
            "form": form,
            "report": report,
            "cooperative": cooperative,
            "membership": membership,
            "categories": Category.objects.order_by("path"),
            "required_columns": imports.REQUIRED_COLUMNS,
            "optional_columns": imports.OPTIONAL_COLUMNS,
            "units": Product.Unit.values,
        },
    )

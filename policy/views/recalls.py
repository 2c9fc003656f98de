"""Recalls: the public notices and their Atom feed, and the regulator's register, recall
forms (one product, or a whole cooperative) and closing form."""

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors import category_tree, product_by_id, product_lookup
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.recalls import (
    RecallCloseForm,
    RecallFilterForm,
    RecallForm,
    RecallTargetLookupForm,
)
from policy.models import Recall
from policy.selectors import recalls as selectors
from policy.services import recalls as services
from policy.views.oversight import inspection_asking
from sellers.selectors import cooperative_by_id, cooperatives_matching

FEED_SIZE = 50


def _filtered(request):
    """The recalls a filter form asks for, and the form (an invalid choice is ignored)."""
    tree = category_tree()
    form = RecallFilterForm(request.GET or None, categories=tree)
    data = form.cleaned_data if form.is_valid() else {}
    by_slug = {node.slug: node for root, children in tree for node in (root, *children)}
    recalls = selectors.recall_notices(
        status=data.get("show") or Recall.Status.OPEN,
        risk=data.get("risk", ""),
        category=by_slug.get(data.get("category", "")),
    )
    return form, recalls


def recall_list(request):
    """Anyone reads the recall notices, newest first, filtered by risk and category."""
    form, recalls = _filtered(request)
    page = selectors.recall_page(recalls, number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "policy/recalls_public.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def recall_detail(request, pk: int):
    """One recall notice and its products (closed ones stay readable: the history)."""
    recall = selectors.recall_get(pk=pk)
    products = selectors.recall_products(recall=recall, number=request.GET.get("page"))
    return render(request, "policy/recall_public.html", {"recall": recall, "products": products})


class RecallFeed(Feed):
    """The open recalls as an Atom feed, newest first."""

    feed_type = Atom1Feed
    title = gettext_lazy("Product recalls")
    subtitle = gettext_lazy("Products recalled by the regulator, and what buyers should do.")

    def link(self):
        return settings.SITE_URL.rstrip("/") + reverse("recalls:list")

    def feed_url(self):
        return settings.SITE_URL.rstrip("/") + reverse("recalls:feed")

    def items(self):
        return list(selectors.recall_notices()[:FEED_SIZE])

    def item_title(self, item: Recall) -> str:
        what = item.product.title if item.product else item.cooperative.legal_name
        return f"{item.number} · {item.get_risk_display()} · {what}"

    def item_description(self, item: Recall) -> str:
        return "\n".join(
            [
                item.hazard,
                _("Measures taken: %(measures)s") % {"measures": item.measures},
                _("What buyers should do: %(action)s")
                % {"action": item.get_buyer_action_display()},
            ]
        )

    def item_link(self, item: Recall) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("recalls:detail", args=[item.pk])

    def item_pubdate(self, item: Recall):
        return item.opened_at

    def item_updateddate(self, item: Recall):
        return item.closed_at or item.opened_at

    def item_author_name(self, item: Recall) -> str:
        return item.cooperative.legal_name


recall_feed = RecallFeed()

TABS = (Recall.Status.OPEN, Recall.Status.CLOSED)


@role_required(Role.REGULATOR)
def regulator_recall_list(request):
    tab = request.GET.get("show", Recall.Status.OPEN)
    tab = tab if tab in TABS else Recall.Status.OPEN
    lookup = RecallTargetLookupForm(request.GET or None)
    text = lookup.cleaned_data["q"] if lookup.is_valid() else ""
    return render(
        request,
        "policy/recalls.html",
        {
            "tab": tab,
            "page": selectors.recall_page(
                selectors.recall_notices(status=tab), number=request.GET.get("page")
            ),
            "lookup": lookup,
            "products": product_lookup(text=text) if text else [],
            "cooperatives": cooperatives_matching(text=text) if text else [],
        },
    )


def _recall_form(request, *, product=None, cooperative=None):
    form = RecallForm(request.POST or None)
    inspection = inspection_asking(
        request, product.cooperative_id if product is not None else cooperative.pk
    )
    if request.method == "POST" and form.is_valid():
        try:
            recall = services.recall_open(
                actor=request.user,
                product=product,
                cooperative=cooperative,
                inspection=inspection,
                **form.cleaned_data,
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Recall %(number)s is open: %(count)s products left the catalog.")
                % {"number": recall.number, "count": recall.product_count},
            )
            return redirect("policy:recall_detail", pk=recall.pk)
    under = selectors.open_recall_for(product_id=product.pk) if product is not None else None
    return render(
        request,
        "policy/recall_form.html",
        {
            "form": form,
            "product": product,
            "cooperative": cooperative,
            "under": under,
            "inspection": inspection,
        },
    )


@role_required(Role.REGULATOR)
def recall_product(request, pk: int):
    """Recall one product."""
    return _recall_form(request, product=product_by_id(pk=pk))


@role_required(Role.REGULATOR)
def recall_cooperative(request, pk: int):
    """Recall every product of a cooperative."""
    return _recall_form(request, cooperative=cooperative_by_id(pk=pk))


@role_required(Role.REGULATOR)
def regulator_recall_detail(request, pk: int):
    """A recall, its products, and the form that closes it."""
    recall = selectors.recall_get(pk=pk)
    form = RecallCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recall_close(recall=recall, actor=request.user, note=form.cleaned_data["note"])
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The recall is closed. Its products stay unpublished until their "
                    "cooperative publishes them again."
                ),
            )
            return redirect("policy:recall_detail", pk=recall.pk)
    products = selectors.recall_products(recall=recall, number=request.GET.get("page"))
    return render(
        request,
        "policy/recall.html",
        {"recall": recall, "products": products, "form": form},
    )

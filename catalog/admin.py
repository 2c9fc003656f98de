"""Catalog in the Django admin. Product edits go through the catalog services, so
the listing policy judges an administrator's change like any other."""

from django.contrib import admin, messages
from django.http import Http404
from modeltranslation.admin import TranslationAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog.models import Category, Product, ProductPhoto, ProductStatusChange
from catalog.services import products
from marketplace.admin_site import ArchivedNotDeleted, TrailAdmin, changed_fields
from policy.models import ListingDecision


@admin.register(Category)
class CategoryAdmin(TreeAdmin, TranslationAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]

    def children_view(self, request, parent_id):
        """The tree's children of one category: an id that is not a number names none
        (the tree admin's route takes any text and would fail on it)."""
        if not str(parent_id).isascii() or not str(parent_id).isdigit():
            raise Http404
        return super().children_view(request, parent_id)


class PhotoInline(admin.TabularInline):
    model = ProductPhoto
    extra = 0
    fields = ["position", "card", "alt_text"]
    readonly_fields = ["card"]


class StatusChangeInline(TrailAdmin, admin.TabularInline):
    model = ProductStatusChange
    extra = 0
    fields = readonly_fields = [
        "from_status",
        "to_status",
        "trigger",
        "actor",
        "reason",
        "created_at",
    ]


@admin.register(Product)
class ProductAdmin(ArchivedNotDeleted, admin.ModelAdmin):
    list_display = ["title", "cooperative", "category", "price", "stock", "status"]
    list_filter = ["status", "category"]
    search_fields = ["title", "sku", "cooperative__legal_name"]
    readonly_fields = ["cooperative", "slug", "status", "published_at", "created_at"]
    autocomplete_fields = ["category"]
    inlines = [PhotoInline, StatusChangeInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        fields = changed_fields(form, products.PRODUCT_FIELDS)
        product = products.product_update(
            product=obj,
            actor=request.user,
            trigger=ListingDecision.Trigger.ADMIN,
            by_admin=True,
            **fields,
        )
        if product.status == Product.Status.BLOCKED:
            for reason in product.policy_decision.reasons:
                self.message_user(request, reason, messages.WARNING)

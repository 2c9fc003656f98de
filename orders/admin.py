"""Orders in the admin: read-only records. Status moves happen in the cooperative's
workspace through the fulfilment services, so they are checked and recorded."""

from django.contrib import admin

from marketplace.admin_site import TrailAdmin
from orders.models import Order, OrderLine, SellerOrder, SellerOrderStatusChange


class SellerOrderInline(TrailAdmin, admin.TabularInline):
    model = SellerOrder
    extra = 0
    fields = ["cooperative_name", "status", "subtotal", "vat", "total"]


class LineInline(TrailAdmin, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["title", "unit_price", "quantity", "vat_amount", "line_total"]


class HistoryInline(TrailAdmin, admin.TabularInline):
    model = SellerOrderStatusChange
    extra = 0
    fields = ["from_status", "to_status", "actor", "note", "created_at"]


@admin.register(Order)
class OrderAdmin(TrailAdmin, admin.ModelAdmin):
    list_display = ["number", "buyer", "total", "payment_method", "created_at"]
    search_fields = ["buyer__email", "ship_name"]
    inlines = [SellerOrderInline]


@admin.register(SellerOrder)
class SellerOrderAdmin(TrailAdmin, admin.ModelAdmin):
    list_display = ["__str__", "status", "total", "created_at"]
    list_filter = ["status"]
    inlines = [LineInline, HistoryInline]

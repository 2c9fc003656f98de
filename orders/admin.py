"""Orders in the admin: read-only records. Status moves happen in the cooperative's
workspace through the fulfilment services, so they are checked and recorded."""

from django.contrib import admin

from orders.models import Order, OrderLine, SellerOrder, SellerOrderStatusChange


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SellerOrderInline(ReadOnly, admin.TabularInline):
    model = SellerOrder
    extra = 0
    fields = ["cooperative_name", "status", "subtotal", "vat", "total"]


class LineInline(ReadOnly, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["title", "unit_price", "quantity", "vat_amount", "line_total"]


class HistoryInline(ReadOnly, admin.TabularInline):
    model = SellerOrderStatusChange
    extra = 0
    fields = ["from_status", "to_status", "actor", "note", "created_at"]


@admin.register(Order)
class OrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "buyer", "total", "payment_method", "created_at"]
    search_fields = ["buyer__email", "ship_name"]
    inlines = [SellerOrderInline]


@admin.register(SellerOrder)
class SellerOrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "status", "total", "created_at"]
    list_filter = ["status"]
    inlines = [LineInline, HistoryInline]

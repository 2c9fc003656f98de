from django.contrib import admin

from sellers.models import Cooperative, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "province", "status", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["legal_name", "registration_number"]
    inlines = [MembershipInline]
    # Status changes go through the verification services (issue: cooperatives).
    readonly_fields = ["status", "slug"]

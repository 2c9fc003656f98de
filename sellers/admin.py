"""Cooperatives in the Django admin, changed through the same services as the site.

Status moves are admin actions that call the verification services (and so are
audited and emailed like any other); the status field itself is read-only. New
cooperatives are onboarded on the site, where their creator becomes their manager.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from marketplace.admin_site import ArchivedNotDeleted, TrailAdmin, changed_fields
from sellers import services
from sellers.models import Cooperative, CooperativeStatusChange, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ["user", "role", "joined_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeInline(TrailAdmin, admin.TabularInline):
    model = CooperativeStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]


def _run(modeladmin, request, queryset, service, **kwargs):
    done = 0
    for cooperative in queryset.order_by("pk"):
        try:
            service(cooperative=cooperative, actor=request.user, **kwargs)
            done += 1
        except services.CooperativeError as exc:
            modeladmin.message_user(request, f"{cooperative}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d cooperative(s) updated.") % {"n": done})


@admin.action(description=_("Verify the selected cooperatives"))
def verify(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.cooperative_verify, reason="")


@admin.action(description=_("Reinstate the selected suspended cooperatives"))
def reinstate(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.cooperative_reinstate, reason="")


@admin.register(Cooperative)
class CooperativeAdmin(ArchivedNotDeleted, admin.ModelAdmin):
    list_display = ["legal_name", "country", "province", "status", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["legal_name", "registration_number"]
    inlines = [MembershipInline, StatusChangeInline]
    readonly_fields = [
        "slug",
        "status",
        "status_reason",
        "logo",
        "logo_thumbnail",
        "business_licence",
        "created_at",
        "updated_at",
    ]
    actions = [verify, reinstate]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        fields = changed_fields(form, services.PROFILE_FIELDS)
        if fields:
            services.cooperative_update(
                cooperative=obj, actor=request.user, by_admin=True, **fields
            )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cooperative", "role", "created_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "cooperative__legal_name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False

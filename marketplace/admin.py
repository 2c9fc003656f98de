from allauth.mfa import admin as allauth_mfa_admin
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin_site import TrailAdmin
from marketplace.models import AuditEvent, OutgoingEmail, Province, User
from marketplace.notifications import outbox_retry
from marketplace.services import regulator_role_recorded


def _is_regulator(user: User) -> bool:
    return bool(user.pk) and user.groups.filter(name=settings.REGULATOR_GROUP).exists()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "display_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_related(self, request, form, formsets, change):
        # The groups are saved here: a regulator role given or taken in this form gets
        # its own line in the audit trail, besides the "changed" one.
        was = _is_regulator(form.instance)
        super().save_related(request, form, formsets, change)
        now = _is_regulator(form.instance)
        if was != now:
            regulator_role_recorded(user=form.instance, actor=request.user, granted=now)


@admin.register(AuditEvent)
class AuditEventAdmin(TrailAdmin, admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "cooperative", "subject"]
    list_filter = ["action"]
    list_select_related = ["actor", "cooperative"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "is_active"]
    list_filter = ["country", "is_active"]
    search_fields = ["name", "code"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(TrailAdmin, admin.ModelAdmin):
    """The outbox, read-only: rows are written by the actions they announce and sent by
    the relay. An email given up after its last attempt can be tried again."""

    list_display = ["subject", "language", "created_at", "sent_at", "attempts", "next_attempt_at"]
    list_filter = ["sent_at", "language"]
    search_fields = ["subject"]
    actions = ["retry"]

    @admin.action(description=_("Try the selected unsent emails again now"))
    def retry(self, request, queryset):
        count = outbox_retry(emails=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be tried again.",
                "%(count)d emails will be tried again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class AuthenticatorAdmin(allauth_mfa_admin.AuthenticatorAdmin):
    """Second factors in the admin: listed, and removable (a member of staff resets a
    lost device, and the owner enrols again), never written by hand: an authenticator's
    data is a secret the owner's device must hold, and only enrolment creates it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(Authenticator)
admin.site.register(Authenticator, AuthenticatorAdmin)

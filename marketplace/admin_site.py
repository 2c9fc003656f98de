"""The Django admin site of the project: allauth's sign-in, and two-factor first."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from marketplace.roles import admin_second_factor_refusal


class AuditedAdmin:
    """Mixed into every ModelAdmin of the site: each addition, change and deletion an
    administrator makes is written to the audit trail, in the admin's own transaction,
    beside Django's admin log. The subject is the model and its number, never the
    object's text (a user's is their email)."""

    def _audit(self, request, objects, action: str, message="") -> None:
        from marketplace.audit import Action, audit_record

        for obj in objects:
            audit_record(
                action=Action(action),
                actor=request.user,
                cooperative_id=_cooperative_of(obj),
                subject=f"{obj._meta.verbose_name} #{obj.pk}",
                detail={"model": obj._meta.label_lower, "id": obj.pk, "change": message},
            )

    def log_addition(self, request, obj, message):
        self._audit(request, [obj], "admin_added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, [obj], "admin_changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        self._audit(request, list(queryset), "admin_deleted")
        return super().log_deletions(request, queryset)


class TrailAdmin:
    """A record shown in the admin, never added, changed or deleted there: the
    regulatory trail (histories, decisions, appeals, audit events) and the outbox.
    Mixed into a ModelAdmin or an inline."""

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArchivedNotDeleted:
    """Products, cooperatives and rules carry the trail: they are archived, suspended or
    lifted through their services, never deleted (their records protect them too)."""

    def has_delete_permission(self, request, obj=None):
        return False


def changed_fields(form, names) -> dict:
    """What an admin form changed among the fields a service takes (``names``): the
    admin saves through the service, never straight to the table."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


def _cooperative_of(obj) -> int | None:
    """The cooperative an edited object belongs to, when it says so."""
    if obj._meta.label_lower == "sellers.cooperative":
        return obj.pk
    return getattr(obj, "cooperative_id", None)


class AdminSite(admin.AdminSite):
    """Every admin page (index, change lists, forms, actions, autocomplete) goes through
    ``admin_view``; there the staff user is sent to enrol in, then to pass, two-factor
    authentication before the page opens. Signing out stays open."""

    site_header = "Lokapasar"
    site_title = "Lokapasar"

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every model's admin records its edits in the audit trail (AuditedAdmin).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(admin_class.__name__, (AuditedAdmin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        # The site's login, with its throttling and two-factor stage.
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        if view == self.logout:
            return inner

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if self.has_permission(request):
                refusal = admin_second_factor_refusal(request)
                if refusal is not None:
                    return refusal
            return inner(request, *args, **kwargs)

        return guarded

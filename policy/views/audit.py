"""The audit trail: every regulated action, for regulators and administrators."""

from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import person_label
from marketplace.exports import csv_response
from marketplace.roles import Role, role_required
from policy.forms.audit import AuditFilterForm
from policy.selectors import audit as selectors


def _filter_query(form: AuditFilterForm) -> str:
    """The filters as a query string, without the page cursor (for links)."""
    query = QueryDict(mutable=True)
    for name in ("actor", "action", "cooperative", "since", "until"):
        value = form.data.get(name, "")
        if value and name not in form.errors:
            query[name] = value
    return query.urlencode()


@role_required(Role.REGULATOR, Role.ADMIN)
def audit_list(request):
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = selectors.audit_page(filters=form.filters(), after=form.cleaned_data["after"])
    return render(
        request,
        "policy/audit.html",
        {"form": form, "page": page, "query": _filter_query(form)},
    )


@role_required(Role.REGULATOR, Role.ADMIN)
def audit_export(request):
    """The events the filters select, newest first, as CSV (the filters are stated in
    the file's first rows, so a figure quoted from it says what it covers)."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "policy/audit.html", {"form": form, "page": None}, status=400)
    filters = form.filters()
    stated = [
        [_("Audit trail exported"), timezone.localtime().isoformat(timespec="seconds")],
        [_("By"), filters.actor or "—"],
        [_("Action"), dict(form.fields["action"].choices).get(filters.action, "") or "—"],
        [_("Cooperative"), filters.cooperative or "—"],
        [_("From"), filters.since.isoformat() if filters.since else "—"],
        [_("To"), filters.until.isoformat() if filters.until else "—"],
        [],
    ]

    def rows():
        yield from stated
        yield [_("When"), _("Action"), _("By"), _("Cooperative"), _("Subject"), _("Details")]
        for event in selectors.audit_rows(filters=filters):
            yield [
                timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                event.get_action_display(),
                person_label(event.actor) if event.actor else _("the system"),
                event.cooperative.legal_name if event.cooperative else "",
                event.subject,
                "; ".join(f"{label}: {value}" for label, value in event.facts()),
            ]

    return csv_response(filename="audit-trail.csv", rows=rows())

"""Inspections and sanctions: the regulator records inspections (with private evidence)
and climbs a cooperative's sanctions ladder; the watch list."""

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import product_by_id, product_lookup
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.oversight import (
    InspectionForm,
    InspectionRefForm,
    OutcomeDoneForm,
    SanctionForm,
    SanctionLiftForm,
)
from policy.forms.recalls import RecallTargetLookupForm
from policy.models import Inspection, Sanction
from policy.selectors import oversight as selectors
from policy.services import inspections as inspection_services
from policy.services import sanctions as sanction_services
from sellers.selectors import cooperative_by_id, cooperatives_matching

TABS = ("pending", "all")


def paginate(request, rows, *, per_page: int):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


@role_required(Role.REGULATOR)
def inspection_list(request):
    tab = request.GET.get("show", "pending")
    tab = tab if tab in TABS else "pending"
    lookup = RecallTargetLookupForm(request.GET or None)
    lookup.fields["q"].label = _("Find a product or a cooperative to inspect")
    text = lookup.cleaned_data["q"] if lookup.is_valid() else ""
    return render(
        request,
        "policy/inspections.html",
        {
            "tab": tab,
            "page": paginate(
                request, selectors.inspection_register(pending=tab == "pending"), per_page=30
            ),
            "lookup": lookup,
            "products": product_lookup(text=text) if text else [],
            "cooperatives": cooperatives_matching(text=text) if text else [],
        },
    )


def _inspection_form(request, *, product=None, cooperative=None):
    form = InspectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = inspection_services.inspection_record(
                actor=request.user, product=product, cooperative=cooperative, **form.cleaned_data
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("policy:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "policy/inspection_form.html",
        {"form": form, "product": product, "cooperative": cooperative},
    )


@role_required(Role.REGULATOR)
def inspect_product(request, pk: int):
    return _inspection_form(request, product=product_by_id(pk=pk))


@role_required(Role.REGULATOR)
def inspect_cooperative(request, pk: int):
    return _inspection_form(request, cooperative=cooperative_by_id(pk=pk))


@role_required(Role.REGULATOR)
def inspection_detail(request, pk: int):
    inspection = selectors.inspection_get(pk=pk)
    if request.method == "POST" and OutcomeDoneForm(request.POST).is_valid():
        try:
            inspection_services.inspection_outcome_done(inspection=inspection, actor=request.user)
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The outcome is marked as carried out."))
        return redirect("policy:inspection_detail", pk=inspection.pk)
    return render(request, "policy/inspection.html", {"inspection": inspection})


@role_required(Role.REGULATOR)
def inspection_evidence(request, pk: int, evidence_pk: int):
    """One evidence file, to regulators only (private storage, never a public URL)."""
    inspection = selectors.inspection_get(pk=pk)
    evidence = next((e for e in inspection.evidence.all() if e.pk == evidence_pk), None)
    if evidence is None or not evidence.file:
        raise Http404
    content_type = mimetypes.guess_type(evidence.file.name)[0] or "application/octet-stream"
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def inspection_asking(request, cooperative_id: int) -> Inspection | None:
    """The inspection whose outcome an action carries out (``inspection`` in the query
    or the form), if any: another cooperative's is not found."""
    ref = InspectionRefForm(request.POST if "inspection" in request.POST else request.GET)
    if not ref.is_valid():
        return None
    inspection = selectors.inspection_get(pk=ref.cleaned_data["inspection"])
    if inspection.cooperative_id != cooperative_id:
        raise Http404
    return inspection


@role_required(Role.REGULATOR)
def cooperative_sanctions(request, pk: int):
    """A cooperative's ladder: its history, the next step, and the form to take one."""
    cooperative = cooperative_by_id(pk=pk)
    inspection = inspection_asking(request, cooperative.pk)
    expected = selectors.sanction_next_step(cooperative_id=cooperative.pk)
    form = SanctionForm(
        request.POST or None,
        initial={"step": expected, "inspection": inspection.pk if inspection else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sanction_services.sanction_issue(
                cooperative=cooperative,
                actor=request.user,
                step=form.cleaned_data["step"],
                reason=form.cleaned_data["reason"],
                skip_reason=form.cleaned_data["skip_reason"],
                inspection=inspection,
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The sanction is issued and the managers are told."))
            return redirect("policy:cooperative_sanctions", pk=cooperative.pk)
    return render(
        request,
        "policy/sanctions.html",
        {
            "cooperative": cooperative,
            "inspection": inspection,
            "form": form,
            "expected": Sanction.Step(expected) if expected else None,
            "warnings": selectors.recent_warnings(cooperative_id=cooperative.pk),
            "history": selectors.cooperative_sanctions(cooperative_id=cooperative.pk, limit=100),
            "standing": selectors.standing_sanctions(cooperative_id=cooperative.pk),
            "lift_form": SanctionLiftForm(),
        },
    )


@role_required(Role.REGULATOR)
@require_POST
def sanction_lift(request, pk: int):
    sanction = selectors.sanction_get(pk=pk)
    form = SanctionLiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note on why the sanction is lifted."))
    else:
        try:
            sanction_services.sanction_lift(
                sanction=sanction, actor=request.user, note=form.cleaned_data["note"]
            )
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The sanction is lifted."))
    return redirect("policy:cooperative_sanctions", pk=sanction.cooperative_id)


@role_required(Role.REGULATOR)
def watch_list(request):
    return render(
        request,
        "policy/watch_list.html",
        {"page": paginate(request, selectors.watch_list(), per_page=50)},
    )

"""Appeals: a cooperative files one against a block; the regulator decides it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.forms import AppealForm
from catalog.models import Product
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.appeals import AppealDecisionForm
from policy.models import Appeal, ListingDecision
from policy.selectors import decisions as decision_selectors
from policy.selectors import overview as selectors
from policy.services import appeals as services


@role_required(Role.MEMBER)
@require_POST
def appeal_file(request, pk: int):
    """A member of the listing's cooperative appeals one of its blocks."""
    product = get_object_or_404(Product, pk=pk, cooperative__memberships__user=request.user)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a statement for the regulator."))
        return redirect("catalog:product_edit", pk=pk)
    decision = get_object_or_404(ListingDecision, pk=form.cleaned_data["decision"], product=product)
    try:
        services.appeal_file(
            decision=decision, actor=request.user, statement=form.cleaned_data["statement"]
        )
    except PolicyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your appeal is sent to the regulator."))
    return redirect("catalog:product_edit", pk=pk)


@role_required(Role.REGULATOR)
def appeal_list(request):
    status = request.GET.get("status", Appeal.Status.PENDING)
    if status not in Appeal.Status.values and status != "all":
        status = Appeal.Status.PENDING
    appeals = selectors.appeal_queue(status="" if status == "all" else status)
    return render(
        request,
        "policy/appeals.html",
        {"appeals": appeals[:200], "status": status, "statuses": Appeal.Status.choices},
    )


@role_required(Role.REGULATOR)
def appeal_detail(request, pk: int):
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "decision__product__cooperative", "decision__product__category", "decision__rule"
        ),
        pk=pk,
    )
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_decide(
                appeal=appeal,
                actor=request.user,
                grant=form.cleaned_data["decision"] == "grant",
                response=form.cleaned_data["response"],
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The appeal is decided; the seller sees the outcome."))
            return redirect("policy:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "policy/appeal.html",
        {
            "appeal": appeal,
            "form": form,
            "product": appeal.decision.product,
            "history": decision_selectors.decision_history(product=appeal.decision.product)[:20],
        },
    )

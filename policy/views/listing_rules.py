"""The regulator's pages for listing rules and appeals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from marketplace.forms import form_add_validation_error
from marketplace.roles import Role, role_required
from policy import selectors
from policy.forms import AppealDecisionForm, RuleForm
from policy.models import Appeal, ListingRule
from policy.services import listing_rules as services


@role_required(Role.REGULATOR)
def rule_list(request):
    return render(request, "policy/rules.html", {"rules": selectors.rules_list()})


@role_required(Role.REGULATOR)
def rule_create(request):
    form = RuleForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_create(
                actor=request.user,
                categories=list(form.cleaned_data["categories"]),
                **form.rule_data(),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        except services.PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Rule “%(title)s” saved. Listings are being re-evaluated.")
                % {"title": rule.title},
            )
            return redirect("policy:rule_edit", pk=rule.pk)
    return render(request, "policy/rule_form.html", {"form": form, "rule": None})


@role_required(Role.REGULATOR)
def rule_edit(request, pk: int):
    rule = get_object_or_404(ListingRule, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_update(
                rule=rule,
                actor=request.user,
                categories=list(form.cleaned_data["categories"]),
                **form.rule_data(),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        except services.PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Rule “%(title)s” saved. Listings are being re-evaluated.")
                % {"title": rule.title},
            )
            return redirect("policy:rule_edit", pk=rule.pk)
    return render(
        request,
        "policy/rule_form.html",
        {"form": form, "rule": rule, "changes": rule.changes.select_related("actor")[:50]},
    )


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
        except services.PolicyError as exc:
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
            "history": selectors.decision_history(product=appeal.decision.product)[:20],
        },
    )

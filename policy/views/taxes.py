"""The regulator's tax rules: the register, a new rule, a rule's edit."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.exports import csv_response, xlsx_response
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.taxes import CollectForm, PayoutForm, RemittanceForm, TaxRuleForm
from policy.selectors.taxes import (
    month_of,
    period_assessments,
    tax_period_get,
    tax_periods,
    tax_rule_get,
    tax_rule_register,
)
from policy.services import collection
from policy.services import taxes as services
from sellers.selectors import cooperative_by_id


@role_required(Role.REGULATOR)
def tax_rule_list(request):
    return render(request, "policy/tax_rules.html", {"rules": tax_rule_register()})


def _form(request, *, rule=None):
    form = TaxRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = services.tax_rule_create(actor=request.user, **form.rule_data())
            else:
                saved = services.tax_rule_update(rule=rule, actor=request.user, **form.rule_data())
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "“%(title)s” is saved. Orders already placed keep the rates they "
                    "were placed with."
                )
                % {"title": saved.title},
            )
            return redirect("policy:tax_rules")
    return render(request, "policy/tax_rule_form.html", {"form": form, "rule": rule})


@role_required(Role.REGULATOR)
def tax_rule_create(request):
    return _form(request)


@role_required(Role.REGULATOR)
def tax_rule_edit(request, pk: int):
    return _form(request, rule=tax_rule_get(pk=pk))


def _period(year: int, month: int) -> date:
    period = month_of(year, month)
    if period is None:
        raise Http404
    return period


@role_required(Role.REGULATOR)
def tax_period_list(request):
    last = collection.previous_period()
    return render(
        request,
        "policy/tax_periods.html",
        {"periods": tax_periods(), "last": last, "collect_form": CollectForm()},
    )


@role_required(Role.REGULATOR)
def tax_period_detail(request, year: int, month: int):
    period = _period(year, month)
    record = tax_period_get(period=period)
    rows = period_assessments(period=period)
    totals = {
        key: sum((row[key] for row in rows), Decimal("0"))
        for key in ("gross", "returned", "vat", "withholding")
    }
    return render(
        request,
        "policy/tax_period.html",
        {
            "period": period,
            "record": record,
            "rows": rows,
            "totals": totals,
            "remit_form": RemittanceForm(),
            "collect_form": CollectForm(),
        },
    )


@role_required(Role.REGULATOR)
@require_POST
def tax_period_collect(request, year: int, month: int):
    period = _period(year, month)
    if CollectForm(request.POST).is_valid():
        try:
            collection.collection_request(period=period, actor=request.user)
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The collection of %(period)s is queued: this page shows its result "
                    "when it is done."
                )
                % {"period": f"{period:%Y-%m}"},
            )
    return redirect("policy:tax_period", year=period.year, month=period.month)


@role_required(Role.REGULATOR)
@require_POST
def tax_period_remit(request, year: int, month: int):
    period = _period(year, month)
    form = RemittanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the payment reference (80 characters at most)."))
    else:
        try:
            collection.period_remit(
                period=period, actor=request.user, reference=form.cleaned_data["reference"]
            )
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The period is remitted and frozen."))
    return redirect("policy:tax_period", year=period.year, month=period.month)


def _remittance_rows(period):
    yield [_("Period"), f"{period:%Y-%m}"]
    record = tax_period_get(period=period)
    yield [_("Status"), record.get_status_display() if record else _("Not collected")]
    yield [_("Payment reference"), record.reference if record else ""]
    yield []
    yield [
        _("Cooperative"),
        _("Registration number"),
        _("Tax identifier"),
        _("Completed sales"),
        _("Returns"),
        _("VAT"),
        _("Withheld"),
    ]
    for row in period_assessments(period=period):
        cooperative = row["cooperative"]
        yield [
            cooperative.legal_name,
            cooperative.registration_number,
            cooperative.tax_identifier,
            row["gross"],
            row["returned"],
            row["vat"],
            row["withholding"],
        ]


@role_required(Role.REGULATOR)
def tax_period_csv(request, year: int, month: int):
    period = _period(year, month)
    return csv_response(
        filename=f"remittance-{period:%Y-%m}.csv", rows=list(_remittance_rows(period))
    )


@role_required(Role.REGULATOR)
def tax_period_xlsx(request, year: int, month: int):
    period = _period(year, month)
    return xlsx_response(
        filename=f"remittance-{period:%Y-%m}.xlsx",
        sheet=f"{period:%Y-%m}",
        rows=list(_remittance_rows(period)),
    )


@role_required(Role.REGULATOR)
@require_POST
def payout_decide(request, year: int, month: int, pk: int):
    """Release a cooperative's payout for the month, or hold it."""
    period = _period(year, month)
    cooperative = cooperative_by_id(pk=pk)
    form = PayoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to release or to hold the payout."))
    else:
        try:
            payout = collection.payout_decide(
                cooperative=cooperative,
                period=period,
                actor=request.user,
                release=form.cleaned_data["action"] == "release",
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
            )
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(cooperative)s: payout %(status)s.")
                % {"cooperative": cooperative.legal_name, "status": payout.get_status_display()},
            )
    return redirect("policy:tax_period", year=period.year, month=period.month)

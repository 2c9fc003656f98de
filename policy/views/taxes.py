"""The regulator's tax rules: the register, a new rule, a rule's edit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.taxes import TaxRuleForm
from policy.selectors.taxes import tax_rule_get, tax_rule_register
from policy.services import taxes as services


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

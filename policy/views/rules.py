"""The regulator's pages for listing rules."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from marketplace.forms import form_add_validation_error
from marketplace.roles import Role, role_required
from policy import kinds
from policy.errors import PolicyError
from policy.forms.rules import RuleForm
from policy.models import ListingRule
from policy.selectors import overview as selectors
from policy.services import rules as services


@role_required(Role.REGULATOR)
def rule_list(request):
    return render(
        request, "policy/rules.html", {"rules": selectors.rules_list(), "kinds": kinds.KINDS}
    )


def _saved(request, form: RuleForm, save):
    """Save a valid rule form through ``save(categories=..., **fields)`` (the create or the
    update service): the rule's page on success, else None with the refusal on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        rule = save(actor=request.user, categories=form.rule_categories(), **form.rule_data())
    except ValidationError as exc:
        form_add_validation_error(form, exc)
    except PolicyError as exc:
        form.add_error(None, exc.message)
    else:
        messages.success(
            request,
            _("Rule “%(title)s” saved. Listings are being re-evaluated.") % {"title": rule.title},
        )
        return redirect("policy:rule_edit", pk=rule.pk)
    return None


@role_required(Role.REGULATOR)
def rule_create(request):
    """The kind comes first (``?kind=``, from the links of the kinds): then the form
    asks only for that kind's fields."""
    kind = kinds.kind_for(request.GET.get("kind", ""))
    if kind is None:
        return render(request, "policy/rule_kind.html", {"kinds": kinds.KINDS})
    form = RuleForm(request.POST or None, kind=kind)
    return _saved(request, form, services.rule_create) or render(
        request, "policy/rule_form.html", {"form": form, "rule": None}
    )


@role_required(Role.REGULATOR)
def rule_edit(request, pk: int):
    rule = get_object_or_404(ListingRule, pk=pk)
    kind = kinds.kind_for(rule.kind)
    if kind is None:
        raise Http404("a rule of a kind no longer known")
    form = RuleForm(request.POST or None, instance=rule, kind=kind)
    update = functools.partial(services.rule_update, rule=rule)
    return _saved(request, form, update) or render(
        request,
        "policy/rule_form.html",
        {"form": form, "rule": rule, "changes": rule.changes.select_related("actor")[:50]},
    )

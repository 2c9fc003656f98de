"""Digital villages for regulators: a year's communes against the thresholds, their
household counts (editable here), and marking a year now."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.villages import HouseholdsForm, VillagesMarkForm, VillagesYearForm
from policy.selectors import villages as selectors
from policy.services import villages as services
from policy.tasks.villages import mark_digital_villages
from policy.views.oversight import paginate


@role_required(Role.REGULATOR)
def village_list(request):
    years = selectors.village_years()
    chosen = VillagesYearForm(request.GET or None)
    year = chosen.cleaned_data["year"] if chosen.is_valid() else None
    year = year if year in years else (years[0] if years else None)
    page = paginate(request, selectors.villages_of_year(year=year), per_page=50) if year else None
    return render(
        request,
        "policy/villages.html",
        {
            "years": years,
            "year": year,
            "page": page,
            "limits": selectors.thresholds(),
            "mark_form": VillagesMarkForm(),
            "currency": settings.MARKETPLACE_CURRENCY,
        },
    )


@role_required(Role.REGULATOR)
@require_POST
def villages_mark(request):
    form = VillagesMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year from the list."))
        return redirect("policy:villages")
    year = form.cleaned_data["year"]
    mark_digital_villages.delay(year)
    messages.success(
        request,
        _("The digital villages of %(year)s are being marked: this page shows them when done.")
        % {"year": year},
    )
    return redirect(reverse("policy:villages") + f"?year={year}")


@role_required(Role.REGULATOR)
@require_POST
def commune_households(request, pk: int):
    commune = selectors.commune_by_id(pk=pk)
    if commune is None:
        raise Http404
    form = HouseholdsForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Give a number of households between 1 and 10 000 000."),
        )
    else:
        try:
            services.commune_households_set(
                commune=commune, households=form.cleaned_data["households"], by=request.user
            )
        except PolicyError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(commune)s: household count saved; the next marking uses it.")
                % {"commune": commune.name},
            )
    shown = VillagesYearForm(request.POST)  # back to the year the regulator was reading
    year = shown.cleaned_data["year"] if shown.is_valid() else None
    return redirect(reverse("policy:villages") + (f"?year={year}" if year else ""))

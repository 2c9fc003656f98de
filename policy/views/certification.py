"""Certification: the regulator's certificate register, awards and revocations, and the
public pages that check a certificate, print it and draw its QR code."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import product_by_id, product_lookup
from marketplace.identifiers import identifier_normalise
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.certification import (
    CertificateCheckForm,
    CertificateForm,
    ProductLookupForm,
    RevocationForm,
)
from policy.models import Certificate
from policy.selectors.certification import (
    certificate_get,
    certificate_in_force,
    certificate_lookup,
)
from policy.selectors.overview import certificate_register
from policy.services import certification as services

TABS = ("valid", "expiring", "lapsed", "all")


@role_required(Role.REGULATOR)
def certificate_list(request):
    tab = request.GET.get("show", "valid")
    tab = tab if tab in TABS else "valid"
    lookup = ProductLookupForm(request.GET or None)
    found = product_lookup(text=lookup.cleaned_data["q"]) if lookup.is_valid() else []
    return render(
        request,
        "policy/certificates.html",
        {
            "tab": tab,
            "certificates": certificate_register(show=tab)[:200],
            "lookup": lookup,
            "found": found,
        },
    )


@role_required(Role.REGULATOR)
def certificate_award(request, pk: int):
    """Certify a product, or re-rate it (its certificate in force is replaced)."""
    product = product_by_id(pk=pk)
    current = certificate_in_force(product_id=product.pk)
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_award(
                product=product, actor=request.user, **form.cleaned_data
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(title)s is certified %(stars)s stars.")
                % {"title": product.title, "stars": certificate.stars},
            )
            return redirect("policy:certificate_detail", pk=certificate.pk)
    return render(
        request,
        "policy/certificate_form.html",
        {"product": product, "current": current, "form": form},
    )


@role_required(Role.REGULATOR)
def certificate_detail(request, pk: int):
    certificate = certificate_get(pk=pk)
    form = RevocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The certificate is revoked; the stars no longer show."))
            return redirect("policy:certificate_detail", pk=certificate.pk)
    history = certificate.product.certificates.select_related("issuer").order_by(
        "-created_at", "-pk"
    )
    return render(
        request,
        "policy/certificate.html",
        {
            "certificate": certificate,
            "state": certificate.state_on(timezone.localdate()),
            "form": form,
            "history": history,
        },
    )


def _check_url(certificate: Certificate) -> str:
    return (
        settings.SITE_URL.rstrip("/")
        + reverse("certificates:check")
        + "?"
        + f"number={certificate.number}"
    )


def certificate_check(request):
    """Anyone checks a certificate number: valid, expired, revoked, replaced or unknown."""
    form = CertificateCheckForm(request.GET or None)
    certificate = state = None
    if form.is_valid():
        certificate = certificate_lookup(number=identifier_normalise(form.cleaned_data["number"]))
        state = certificate.state_on(timezone.localdate()) if certificate else "unknown"
    return render(
        request,
        "policy/certificate_check.html",
        {"form": form, "certificate": certificate, "state": state},
    )


def certificate_print(request, pk: int):
    """The printable certificate, with its QR code to the check page."""
    certificate = certificate_get(pk=pk)
    return render(
        request,
        "policy/certificate_print.html",
        {
            "certificate": certificate,
            "state": certificate.state_on(timezone.localdate()),
            "check_url": _check_url(certificate),
        },
    )


def certificate_qr(request, pk: int):
    """The certificate's QR code (PNG, drawn here): it encodes the check page's URL."""
    certificate = certificate_get(pk=pk)
    png = io.BytesIO()
    segno.make(_check_url(certificate), error="m").save(png, kind="png", scale=6, border=4)
    return HttpResponse(png.getvalue(), content_type="image/png")

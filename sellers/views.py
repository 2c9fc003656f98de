"""Pages for cooperatives: the public directory and storefronts, onboarding, the
seller workspace (profile, members, invitations) and the regulator's verification queue.

The workspace always acts on the *active* cooperative kept in the session, chosen among
the user's own memberships, so no URL names another cooperative's id; ids of members
and invitations are looked up within the active cooperative only.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.forms import form_add_validation_error
from marketplace.roles import Role, role_required
from policy.selectors import oversight
from sellers import selectors, services
from sellers.forms import (
    CooperativeForm,
    DecisionForm,
    DirectoryFilterForm,
    InvitationForm,
    RoleForm,
    SwitchForm,
)
from sellers.models import Cooperative, Invitation, Membership


def _active(request) -> Membership:
    membership = selectors.active_membership(user=request.user, session=request.session)
    if membership is None:
        raise PermissionDenied
    return membership


def _active_manager(request) -> Membership:
    membership = _active(request)
    if not membership.is_manager:
        raise PermissionDenied
    return membership


# --- Public ------------------------------------------------------------------------


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    province_id, query, category = None, "", None
    if form.is_valid():
        province = form.cleaned_data["province"]
        province_id = province.pk if province else None
        query = form.cleaned_data["q"].strip()
        category = form.cleaned_data["category"]
    cooperatives = selectors.cooperative_directory(
        province_id=province_id, query=query, category=category
    )
    page = Paginator(cooperatives, 24).get_page(request.GET.get("page"))
    return render(request, "sellers/directory.html", {"form": form, "page": page})


def storefront(request, slug: str):
    from catalog.selectors import storefront_products
    from policy.selectors.villages import village_label

    cooperative = selectors.storefront_cooperative(slug=slug, viewer=request.user)
    return render(
        request,
        "sellers/storefront.html",
        {
            "cooperative": cooperative,
            "is_public": cooperative.can_publish,
            "products": storefront_products(cooperative=cooperative),
            "village_year": village_label(
                province_id=cooperative.province_id, commune=cooperative.commune
            ),
        },
    )


# --- Onboarding --------------------------------------------------------------------


@role_required(Role.BUYER)
def onboard(request):
    form = CooperativeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                cooperative = services.cooperative_create(
                    creator=request.user, **form.profile_data()
                )
                _save_uploads(form, cooperative, request.user)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        except services.CooperativeError as exc:
            form.add_error(
                "registration_number" if isinstance(exc, services.DuplicateRegistration) else None,
                exc.message,
            )
        else:
            request.session[selectors.ACTIVE_COOPERATIVE_SESSION_KEY] = cooperative.pk
            messages.success(
                request,
                _("%(name)s is registered. A regulator will review it.")
                % {"name": cooperative.legal_name},
            )
            return redirect("sellers:workspace")
    return render(request, "sellers/onboard.html", {"form": form})


def _save_uploads(form, cooperative: Cooperative, actor) -> None:
    if form.cleaned_data.get("logo"):
        services.cooperative_set_logo(
            cooperative=cooperative, actor=actor, upload=form.cleaned_data["logo"]
        )
    if form.cleaned_data.get("business_licence"):
        services.cooperative_attach_licence(
            cooperative=cooperative, actor=actor, upload=form.cleaned_data["business_licence"]
        )


# --- Workspace ---------------------------------------------------------------------


@role_required(Role.MEMBER)
def workspace(request):
    membership = _active(request)
    cooperative = membership.cooperative
    return render(
        request,
        "sellers/workspace.html",
        {
            "membership": membership,
            "cooperative": cooperative,
            "memberships": selectors.memberships_for_user(user=request.user),
            "missing": services.cooperative_missing_requirements(cooperative),
            "history": selectors.status_history(cooperative=cooperative)[:10],
            # Sanctions are addressed to the managers; every member sees the inspections.
            "sanctions": oversight.cooperative_sanctions(cooperative_id=cooperative.pk)
            if membership.role == Membership.Role.MANAGER
            else [],
            "inspections": oversight.cooperative_inspections(cooperative_id=cooperative.pk),
        },
    )


@role_required(Role.MEMBER)
@require_POST
def switch(request):
    form = SwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    membership = get_object_or_404(
        Membership, user=request.user, cooperative_id=form.cleaned_data["cooperative"]
    )
    request.session[selectors.ACTIVE_COOPERATIVE_SESSION_KEY] = membership.cooperative_id
    messages.info(request, _("You are now working in %(name)s.") % {"name": membership.cooperative})
    return redirect("sellers:workspace")


@role_required(Role.MEMBER)
def profile(request):
    membership = _active_manager(request)
    cooperative = membership.cooperative
    locked = cooperative.status != Cooperative.Status.PENDING
    form = CooperativeForm(
        request.POST or None, request.FILES or None, instance=cooperative, lock_identity=locked
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.cooperative_update(
                    cooperative=cooperative, actor=request.user, **form.profile_data()
                )
                _save_uploads(form, cooperative, request.user)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        except services.CooperativeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The cooperative's profile is saved."))
            return redirect("sellers:workspace")
    return render(
        request,
        "sellers/profile.html",
        {"form": form, "cooperative": cooperative, "identity_locked": locked},
    )


@role_required(Role.MEMBER)
@require_POST
def resubmit(request):
    membership = _active_manager(request)
    try:
        services.cooperative_resubmit(cooperative=membership.cooperative, actor=request.user)
    except services.CooperativeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent back to the regulator for verification."))
    return redirect("sellers:workspace")


@role_required(Role.MEMBER)
def licence(request):
    cooperative = _active(request).cooperative
    return _document_response(cooperative)


def _document_response(cooperative: Cooperative):
    document = cooperative.business_licence
    if not document:
        raise Http404
    content_type = mimetypes.guess_type(document.name)[0] or "application/octet-stream"
    response = FileResponse(document.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Members and invitations ----------------------------------------------------------


@role_required(Role.MEMBER)
def members(request):
    membership = _active(request)
    cooperative = membership.cooperative
    return render(
        request,
        "sellers/members.html",
        {
            "membership": membership,
            "cooperative": cooperative,
            "members": selectors.cooperative_members(cooperative=cooperative),
            "invitations": selectors.open_invitations(cooperative=cooperative)
            if membership.is_manager
            else [],
            "invite_form": InvitationForm(),
            "role_choices": Membership.Role.choices,
        },
    )


@role_required(Role.MEMBER)
@require_POST
def invite(request):
    membership = _active_manager(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                cooperative=membership.cooperative,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except services.CooperativeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("sellers:members")


@role_required(Role.MEMBER)
@require_POST
def member_role(request, pk: int):
    membership = _active_manager(request)
    target = get_object_or_404(Membership, pk=pk, cooperative=membership.cooperative)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose member or manager."))
        return redirect("sellers:members")
    try:
        services.membership_change_role(
            membership=target, actor=request.user, role=form.cleaned_data["role"]
        )
    except services.CooperativeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(who)s's role is changed.") % {"who": target.user})
    return redirect("sellers:members")


@role_required(Role.MEMBER)
@require_POST
def member_remove(request, pk: int):
    membership = _active(request)
    target = get_object_or_404(Membership, pk=pk, cooperative=membership.cooperative)
    if target.pk != membership.pk and not membership.is_manager:
        raise PermissionDenied
    try:
        services.membership_remove(membership=target, actor=request.user)
    except services.CooperativeError as exc:
        messages.error(request, exc.message)
        return redirect("sellers:members")
    if target.pk == membership.pk:
        request.session.pop(selectors.ACTIVE_COOPERATIVE_SESSION_KEY, None)
        messages.success(request, _("You left %(name)s.") % {"name": membership.cooperative})
        return redirect("account_home")
    messages.success(request, _("%(who)s is no longer a member.") % {"who": target.user})
    return redirect("sellers:members")


@role_required(Role.MEMBER)
@require_POST
def invitation_revoke(request, pk: int):
    membership = _active_manager(request)
    invitation = get_object_or_404(Invitation, pk=pk, cooperative=membership.cooperative)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect("sellers:members")


@role_required(Role.BUYER)
def invitation(request, token: str):
    invitation = get_object_or_404(
        Invitation.objects.select_related("cooperative", "invited_by"), token=token
    )
    if request.method == "POST":
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except services.CooperativeError as exc:
            messages.error(request, exc.message)
        else:
            request.session[selectors.ACTIVE_COOPERATIVE_SESSION_KEY] = membership.cooperative_id
            messages.success(request, _("Welcome to %(name)s.") % {"name": membership.cooperative})
            return redirect("sellers:workspace")
    return render(request, "sellers/invitation.html", {"invitation": invitation})


# --- Regulator: verification --------------------------------------------------------------


@role_required(Role.REGULATOR)
def verification_queue(request):
    status = request.GET.get("status", Cooperative.Status.PENDING)
    if status not in Cooperative.Status.values and status != "all":
        status = Cooperative.Status.PENDING
    cooperatives = selectors.verification_queue(status="" if status == "all" else status)
    page = Paginator(cooperatives, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sellers/verification_queue.html",
        {
            "page": page,
            "status": status,
            "counts": selectors.queue_counts(),
            "statuses": Cooperative.Status.choices,
        },
    )


DECISIONS = {
    "verify": services.cooperative_verify,
    "reject": services.cooperative_reject,
    "suspend": services.cooperative_suspend,
    "reinstate": services.cooperative_reinstate,
}


@role_required(Role.REGULATOR)
def verification_detail(request, pk: int):
    cooperative = get_object_or_404(Cooperative.objects.select_related("province"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        extra = {"override_missing": form.cleaned_data["override_missing"]}
        try:
            DECISIONS[action](
                cooperative=cooperative,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **(extra if action == "verify" else {}),
            )
        except services.CooperativeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": cooperative, "status": cooperative.get_status_display().lower()},
            )
            return redirect("sellers:verification_detail", pk=cooperative.pk)
    return render(
        request,
        "sellers/verification_detail.html",
        {
            "cooperative": cooperative,
            "form": form,
            "missing": services.cooperative_missing_requirements(cooperative),
            "history": selectors.status_history(cooperative=cooperative),
            "managers": selectors.cooperative_members(cooperative=cooperative).filter(
                role=Membership.Role.MANAGER
            ),
        },
    )


@role_required(Role.REGULATOR)
def verification_licence(request, pk: int):
    return _document_response(get_object_or_404(Cooperative, pk=pk))

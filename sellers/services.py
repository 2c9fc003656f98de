"""Writes for cooperatives, their status, their members and invitations.

Every change to a cooperative goes through here, from the onboarding form, the
workspace, the regulator's queue, the Django admin and the demo seed alike. Status
moves are checked against ``Cooperative.TRANSITIONS`` under a row lock and leave a
``CooperativeStatusChange``; emails are sent by Celery after the commit.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries.fields import Country

from marketplace.audit import Action, audit_record, person_label
from marketplace.identifiers import identifier_normalise
from marketplace.images import check_document, image_renditions, open_checked_image
from marketplace.models import Province, User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from marketplace.unset import field_names, fields_given
from sellers.models import Cooperative, CooperativeStatusChange, Invitation, Membership
from sellers.registration import registration_format, registration_number_valid
from sellers.selectors import manager_emails
from sellers.signals import cooperative_identity_changed

Status = Cooperative.Status


class CooperativeProfile(TypedDict, total=False):
    """The fields a manager may edit on a cooperative (identity fields are locked once
    it is verified): the keywords of ``cooperative_create`` and ``cooperative_update``."""

    legal_name: str
    registration_number: str
    country: str | Country
    province: Province | None
    region: str
    commune: str
    year_founded: int | None
    member_count: int
    story: str
    contact_phone: str
    contact_email: str
    tax_identifier: str
    payout_method: str
    payout_account: str


PROFILE_FIELDS = field_names(CooperativeProfile)
IDENTITY_FIELDS = {"legal_name", "registration_number", "country"}
LOGO_SIZES = {"thumbnail": 256}


class CooperativeError(Exception):
    """A cooperative operation that the rules refuse; the message says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(CooperativeError):
    pass


class InvalidTransition(CooperativeError):
    pass


class DuplicateRegistration(CooperativeError):
    pass


class LastManager(CooperativeError):
    pass


class InvitationUnusable(CooperativeError):
    pass


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "cooperative"
    slug, n = base, 2
    taken = Cooperative.objects.all()
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_location(fields: dict) -> None:
    """A home-country cooperative sits in one of the home provinces; a foreign one
    gives its own region as text."""
    country = str(fields.get("country") or "")
    province = fields.get("province")
    if country == settings.MARKETPLACE_COUNTRY:
        if province is None:
            raise ValidationError({"province": _("Choose the province the cooperative is in.")})
        if str(province.country) != country:
            raise ValidationError({"province": _("This province is not in the chosen country.")})
        fields["region"] = ""
    else:
        if province is not None:
            fields["province"] = None
        if not (fields.get("region") or "").strip():
            raise ValidationError(
                {"region": _("Give the state, province or region where it is registered.")}
            )


def _save_unique(cooperative: Cooperative, **save_kwargs) -> None:
    try:
        with transaction.atomic():
            cooperative.save(**save_kwargs)
    except IntegrityError as exc:
        if "registration" in str(exc):
            raise DuplicateRegistration(
                _("A cooperative with this registration number is already registered in %(c)s.")
                % {"c": cooperative.country.name}
            ) from None
        raise


def _status_change_record(
    *,
    cooperative: Cooperative,
    from_status: str,
    to_status: str,
    actor: User,
    reason: str,
    detail: dict | None = None,
) -> CooperativeStatusChange:
    """The cooperative's history row and its line in the audit trail (with ``detail``
    beside the move), together."""
    change = CooperativeStatusChange.objects.create(
        cooperative=cooperative,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    audit_record(
        action=Action.COOPERATIVE_REGISTERED
        if not from_status
        else Action.COOPERATIVE_STATUS_CHANGED,
        actor=actor,
        cooperative_id=cooperative.pk,
        subject=cooperative.legal_name,
        detail={"from": from_status, "to": to_status, "reason": reason, **(detail or {})},
    )
    return change


@transaction.atomic
def cooperative_create(
    *,
    creator: User,
    **profile: Unpack[CooperativeProfile],
) -> Cooperative:
    """Create a cooperative pending verification; its creator becomes its manager."""
    fields = fields_given(CooperativeProfile, profile)
    _check_location(fields)
    cooperative = Cooperative(slug=_unique_slug(fields["legal_name"]), **fields)
    _save_unique(cooperative)
    Membership.objects.create(cooperative=cooperative, user=creator, role=Membership.Role.MANAGER)
    _status_change_record(
        cooperative=cooperative,
        from_status="",
        to_status=cooperative.status,
        actor=creator,
        reason=_("Cooperative registered."),
    )
    return cooperative


def _require_manager(*, cooperative: Cooperative, actor: User) -> None:
    if not Membership.objects.filter(
        cooperative=cooperative, user=actor, role=Membership.Role.MANAGER
    ).exists():
        raise NotAllowed(_("Only a manager of this cooperative can do this."))


@transaction.atomic
def cooperative_update(
    *,
    cooperative: Cooperative,
    actor: User,
    by_admin: bool = False,
    **profile: Unpack[CooperativeProfile],
) -> Cooperative:
    """Change a cooperative's own data. Managers may not change its legal identity
    once verified; an administrator may, and the change is recorded."""
    fields = fields_given(CooperativeProfile, profile)
    if not by_admin:
        _require_manager(cooperative=cooperative, actor=actor)
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    if "country" in fields:
        fields["country"] = str(fields["country"])
    current = {
        "legal_name": cooperative.legal_name,
        "registration_number": cooperative.registration_number,
        "country": cooperative.country.code,
    }
    changed_identity = {n for n in IDENTITY_FIELDS & set(fields) if fields[n] != current[n]}
    if changed_identity and cooperative.status != Status.PENDING and not by_admin:
        raise NotAllowed(
            _(
                "The legal name, registration number and country of a cooperative that has "
                "been reviewed can only be changed by the regulator's administrators."
            )
        )
    merged = {name: getattr(cooperative, name) for name in PROFILE_FIELDS}
    merged.update(fields)
    _check_location(merged)
    for name in PROFILE_FIELDS:
        setattr(cooperative, name, merged[name])
    _save_unique(cooperative)
    from catalog.pagecache import catalog_changed

    catalog_changed()
    if changed_identity:
        cooperative_identity_changed.send(
            sender=Cooperative, cooperative=cooperative, actor=actor, fields=changed_identity
        )
    if changed_identity and by_admin:
        _status_change_record(
            cooperative=cooperative,
            from_status=cooperative.status,
            to_status=cooperative.status,
            actor=actor,
            reason=_("Identity changed by an administrator: %(fields)s")
            % {"fields": ", ".join(sorted(changed_identity))},
        )
    return cooperative


@transaction.atomic
def cooperative_set_logo(*, cooperative: Cooperative, actor: User, upload) -> Cooperative:
    """Validate, re-encode and store the logo with its thumbnail; nothing is saved on error."""
    _require_manager(cooperative=cooperative, actor=actor)
    renditions = image_renditions(open_checked_image(upload), sizes=LOGO_SIZES)
    old = [cooperative.logo.name, cooperative.logo_thumbnail.name]
    cooperative.logo.save(renditions["original"].name, renditions["original"].content, save=False)
    cooperative.logo_thumbnail.save(
        renditions["thumbnail"].name, renditions["thumbnail"].content, save=False
    )
    cooperative.save(update_fields=["logo", "logo_thumbnail", "updated_at"])
    storage = cooperative.logo.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old if name])
    return cooperative


@transaction.atomic
def cooperative_attach_licence(*, cooperative: Cooperative, actor: User, upload) -> Cooperative:
    """Attach the origin-country business licence (PDF, JPEG or PNG)."""
    _require_manager(cooperative=cooperative, actor=actor)
    extension = check_document(upload)
    old = cooperative.business_licence.name
    upload.seek(0)
    cooperative.business_licence.save(f"licence.{extension}", upload, save=False)
    cooperative.save(update_fields=["business_licence", "updated_at"])
    if old:
        storage = cooperative.business_licence.storage
        transaction.on_commit(lambda: storage.delete(old))
    return cooperative


def cooperative_missing_requirements(cooperative: Cooperative) -> list[str]:
    """What a cooperative still lacks before a regulator can verify it, in plain words:
    its business licence document, its tax identifier, a registration number in its
    country's format, its story and a contact."""
    missing = []
    if not cooperative.business_licence:
        if cooperative.is_cross_border:
            missing.append(_("the business licence from its country of registration"))
        else:
            missing.append(_("its business licence document"))
    if not identifier_normalise(cooperative.tax_identifier):
        missing.append(_("its tax identifier"))
    if not registration_number_valid(
        country=cooperative.country, number=cooperative.registration_number
    ):
        missing.append(
            _("a registration number in the format of its country (%(format)s)")
            % {"format": registration_format(cooperative.country)[1]}
        )
    if not cooperative.story.strip():
        missing.append(_("its story"))
    if not (cooperative.contact_phone or cooperative.contact_email):
        missing.append(_("a contact phone or email"))
    return missing


def _transition(
    *,
    cooperative: Cooperative,
    from_status: str,
    to_status: str,
    actor: User,
    reason: str,
    detail: dict | None = None,
) -> Cooperative:
    """Move the status under a row lock. Each named service names the one status it
    starts from, so that "reinstate" cannot verify a pending cooperative unchecked."""
    locked = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    if locked.status != from_status or not locked.can_become(to_status):
        raise InvalidTransition(
            _("A cooperative that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display().lower(),
                "target": Status(to_status).label.lower(),
            }
        )
    locked.status = to_status
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    change = _status_change_record(
        cooperative=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        detail=detail,
    )
    from catalog.pagecache import catalog_changed

    catalog_changed()
    _announce_status_change(change)
    cooperative.status, cooperative.status_reason = locked.status, locked.status_reason
    return locked


def _move(cooperative: Cooperative, actor: User, move: tuple[str, str], reason: str) -> Cooperative:
    """``_transition`` for a named service: ``move`` is its (from, to) pair."""
    return _transition(
        cooperative=cooperative, from_status=move[0], to_status=move[1], actor=actor, reason=reason
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _announce_status_change(change: CooperativeStatusChange) -> None:
    """Tell every manager of the cooperative, through the outbox, in this transaction."""
    managers = manager_emails(cooperative_ids=[change.cooperative_id]).get(
        change.cooperative_id, []
    )
    emails_queue(
        messages=[
            Email(
                managers,
                "sellers/email/status_change_subject.txt",
                "sellers/email/status_change.txt",
                {
                    "change": change,
                    "cooperative": change.cooperative,
                    "workspace_url": _absolute(reverse("sellers:workspace")),
                },
            )
        ]
    )


def _announce_invitation(invitation: Invitation) -> None:
    emails_queue(
        messages=[
            Email(
                [invitation.email],
                "sellers/email/invitation_subject.txt",
                "sellers/email/invitation.txt",
                {
                    "invitation": invitation,
                    "accept_url": _absolute(reverse("sellers:invitation", args=[invitation.token])),
                },
            )
        ]
    )


def _require_regulator(*, cooperative: Cooperative, actor: User) -> None:
    if not (user_is_regulator(actor) or actor.is_superuser):
        raise NotAllowed(_("Only a regulator can do this."))
    if Membership.objects.filter(cooperative=cooperative, user=actor).exists():
        raise NotAllowed(_("You are a member of this cooperative and cannot review it."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CooperativeError(_("Give the reason; the cooperative's managers will read it."))
    return reason


@transaction.atomic
def cooperative_verify(
    *, cooperative: Cooperative, actor: User, reason: str = "", override_missing: bool = False
) -> Cooperative:
    """Verify a pending cooperative. While it lacks something
    (:func:`cooperative_missing_requirements`) the regulator is refused, unless they
    explicitly verify without it (``override_missing``) and say why: the history and the
    audit trail then record what was missing."""
    _require_regulator(cooperative=cooperative, actor=actor)
    locked = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    # Only a pending cooperative is judged on its papers; any other is refused its move.
    missing = (
        [str(item) for item in cooperative_missing_requirements(locked)]
        if locked.status == Status.PENDING
        else []
    )
    reason = reason.strip()
    if missing and not override_missing:
        raise CooperativeError(
            _("It cannot be verified yet; it still lacks %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    detail = {}
    if missing:
        if not reason:
            raise CooperativeError(
                _("To verify it without %(missing)s, give the reason.")
                % {"missing": ", ".join(missing)}
            )
        reason = _("%(reason)s\n(Verified without %(missing)s.)") % {
            "reason": reason,
            "missing": ", ".join(missing),
        }
        detail = {"override": True, "verified_without": missing}
    return _transition(
        cooperative=cooperative,
        from_status=Status.PENDING,
        to_status=Status.VERIFIED,
        actor=actor,
        reason=reason,
        detail=detail,
    )


@transaction.atomic
def cooperative_reject(*, cooperative: Cooperative, actor: User, reason: str) -> Cooperative:
    _require_regulator(cooperative=cooperative, actor=actor)
    return _move(cooperative, actor, (Status.PENDING, Status.REJECTED), _require_reason(reason))


@transaction.atomic
def cooperative_suspend(*, cooperative: Cooperative, actor: User, reason: str) -> Cooperative:
    """Suspend a verified cooperative: its listings leave the catalog until reinstated."""
    _require_regulator(cooperative=cooperative, actor=actor)
    return _move(cooperative, actor, (Status.VERIFIED, Status.SUSPENDED), _require_reason(reason))


@transaction.atomic
def cooperative_reinstate(
    *, cooperative: Cooperative, actor: User, reason: str = ""
) -> Cooperative:
    _require_regulator(cooperative=cooperative, actor=actor)
    return _move(cooperative, actor, (Status.SUSPENDED, Status.VERIFIED), reason.strip())


@transaction.atomic
def cooperative_resubmit(*, cooperative: Cooperative, actor: User, reason: str = "") -> Cooperative:
    """A manager sends a rejected cooperative back to the queue after fixing it."""
    _require_manager(cooperative=cooperative, actor=actor)
    return _move(
        cooperative,
        actor,
        (Status.REJECTED, Status.PENDING),
        reason.strip() or _("Resubmitted for verification."),
    )


# --- Members and invitations ------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, cooperative: Cooperative, actor: User, email: str, role: str
) -> Invitation:
    """Invite ``email`` to join; an open invitation to the same address is replaced."""
    _require_manager(cooperative=cooperative, actor=actor)
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise CooperativeError(_("Choose member or manager."))
    if Membership.objects.filter(cooperative=cooperative, user__email__iexact=email).exists():
        raise CooperativeError(_("%(email)s is already a member.") % {"email": email})
    now = timezone.now()
    Invitation.objects.filter(
        cooperative=cooperative, email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        cooperative=cooperative, email=email, role=role, invited_by=actor
    )
    audit_record(
        action=Action.INVITATION_SENT,
        actor=actor,
        cooperative_id=cooperative.pk,
        subject=_invitee_label(email),
        detail={"role": role, "invitation": invitation.pk},
    )
    _announce_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _require_manager(cooperative=invitation.cooperative, actor=actor)
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            action=Action.INVITATION_REVOKED,
            actor=actor,
            cooperative_id=invitation.cooperative_id,
            subject=_invitee_label(invitation.email),
            detail={"invitation": invitation.pk},
        )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the cooperative. Only the invited address, once verified, can accept."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvitationUnusable(_("This invitation has expired, been used or been withdrawn."))
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise InvitationUnusable(
            _("This invitation is for %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        cooperative=invitation.cooperative, user=user, defaults={"role": invitation.role}
    )
    if not created and invitation.role == Membership.Role.MANAGER and not membership.is_manager:
        membership.role = Membership.Role.MANAGER
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        cooperative_id=invitation.cooperative_id,
        subject=person_label(user),
        detail={"invitation": invitation.pk, "role": membership.role},
    )
    return membership


def _invitee_label(email: str) -> str:
    """An invited address as the trail shows it: enough to recognise, not to write to."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _lock_memberships(cooperative_id: int) -> list[Membership]:
    """Lock the cooperative's memberships in primary-key order, so that two managers
    demoting each other at once cannot leave the cooperative without one."""
    return list(
        Membership.objects.select_for_update().filter(cooperative_id=cooperative_id).order_by("pk")
    )


def _managers_left(memberships: list[Membership], *, without: Membership) -> int:
    return sum(m.is_manager for m in memberships if m.pk != without.pk)


def _locked_actor_is_manager(locked: list[Membership], actor: User) -> bool:
    return any(m.user_id == actor.pk and m.is_manager for m in locked)


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise CooperativeError(_("Choose member or manager."))
    locked = _lock_memberships(membership.cooperative_id)
    # Checked under the lock: a manager demoted a moment ago no longer decides.
    if not _locked_actor_is_manager(locked, actor):
        raise NotAllowed(_("Only a manager of this cooperative can do this."))
    current = next((m for m in locked if m.pk == membership.pk), None)
    if current is None:
        raise CooperativeError(_("This person is no longer a member."))
    demoting = role != Membership.Role.MANAGER and current.is_manager
    if demoting and _managers_left(locked, without=current) == 0:
        raise LastManager(_("A cooperative always keeps at least one manager."))
    previous = current.role
    current.role = role
    current.save(update_fields=["role"])
    if previous != role:
        audit_record(
            action=Action.MEMBER_ROLE_CHANGED,
            actor=actor,
            cooperative_id=current.cooperative_id,
            subject=person_label(current.user),
            detail={"from": previous, "to": role, "member": current.user_id},
        )
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """A manager removes a member, or a member leaves; the last manager cannot go."""
    locked = _lock_memberships(membership.cooperative_id)
    if membership.user_id != actor.pk and not _locked_actor_is_manager(locked, actor):
        raise NotAllowed(_("Only a manager of this cooperative can do this."))
    current = next((m for m in locked if m.pk == membership.pk), None)
    if current is None:
        return
    if current.is_manager and _managers_left(locked, without=current) == 0:
        raise LastManager(_("A cooperative always keeps at least one manager."))
    audit_record(
        action=Action.MEMBER_REMOVED,
        actor=actor,
        cooperative_id=current.cooperative_id,
        subject=person_label(current.user),
        detail={
            "role": current.role,
            "member": current.user_id,
            "left": current.user_id == actor.pk,
        },
    )
    current.delete()

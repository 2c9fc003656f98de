import pycountry
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketplace.audit import Action, audit_record, person_label
from marketplace.models import Province, User

# ISO 3166-2 types that group provinces rather than administer anything
# (Indonesia's "geographical units" such as Jawa or Sumatera).
_NON_ADMINISTRATIVE_TYPES = {"Geographical unit"}


@transaction.atomic
def provinces_seed(*, country: str) -> int:
    """Create the country's first-level subdivisions from ISO 3166-2; return how many were new.

    Existing rows are left as they are: the regulator may have renamed or retired them.
    """
    created = 0
    existing = set(Province.objects.filter(country=country).values_list("code", flat=True))
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:
        if subdivision.type in _NON_ADMINISTRATIVE_TYPES or subdivision.code in existing:
            continue
        Province.objects.create(country=country, code=subdivision.code, name=subdivision.name)
        created += 1
    return created


@transaction.atomic
def user_ensure_verified(*, email: str, password: str, full_name: str = "", **flags) -> User:
    """Return the user with ``email`` (creating it) with a verified primary address.

    Used by the demo seed and by administrators' scripts; sign-up goes through allauth.
    """
    email = email.lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, **flags
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def regulator_grant(*, user: User, actor: User | None = None) -> User:
    """Make ``user`` a regulator. Only administrators call this (admin or command);
    the grant is written to the audit trail (``actor`` none for a command or a seed)."""
    group, _ = Group.objects.get_or_create(name=settings.REGULATOR_GROUP)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        regulator_role_recorded(user=user, actor=actor, granted=True)
    return user


@transaction.atomic
def regulator_revoke(*, user: User, actor: User | None = None) -> User:
    """Take the regulator role back, with its line in the audit trail."""
    group = Group.objects.filter(name=settings.REGULATOR_GROUP).first()
    if group is not None and user.groups.filter(pk=group.pk).exists():
        user.groups.remove(group)
        regulator_role_recorded(user=user, actor=actor, granted=False)
    return user


def regulator_role_recorded(*, user: User, actor: User | None, granted: bool) -> None:
    """The audit line for a regulator role given or taken (also when the admin's user
    form changed the groups)."""
    audit_record(
        action=Action.REGULATOR_GRANTED if granted else Action.REGULATOR_REVOKED,
        actor=actor,
        subject=person_label(user),
        detail={"user": user.pk},
    )


def user_public_name_set(*, user: User, display_name: str) -> User:
    """Set the name shown with the user's reviews; empty brings back the default.

    An email address is refused: the public name exists so that none is shown.
    """
    display_name = " ".join(display_name.split())
    if "@" in display_name:
        raise ValidationError(
            {"display_name": _("Choose a name, not an email address.")}, code="email"
        )
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return user


def user_preferred_language_set(*, user: User, language: str) -> User:
    """Record the language the user reads: their emails are written in it.

    Set when they switch the site's language, sign in, or choose it in their account.
    An unknown code is refused; empty brings back the site's default language.
    """
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"preferred_language": _("Choose one of the site's languages.")}, code="invalid"
        )
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user

from sellers.models import Membership


def membership_roles_for_user(*, user) -> set[str]:
    """The membership roles (``member``, ``manager``) the user holds in any cooperative."""
    return set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())


def cooperatives_for_user(*, user):
    """The user's memberships with their cooperatives, for the seller workspace."""
    return (
        Membership.objects.filter(user=user)
        .select_related("cooperative", "cooperative__province")
        .order_by("cooperative__legal_name")
    )

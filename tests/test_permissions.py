"""The role x URL matrix: every page of the project's apps, for every kind of visitor.

Each named URL of marketplace/, sellers/, catalog/, orders/ and policy/ must appear in
MATRIX (a new page without an entry fails ``test_every_app_url_is_in_the_matrix``).
The visitors: anonymous, a buyer, a member and a manager of cooperative A, the manager
of another cooperative B (who must never reach A's objects), and a regulator.
Object ids in the URLs belong to cooperative A.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sellers.models import Invitation, Membership
from tests.factories import CooperativeFactory, MembershipFactory, RegulatorFactory, UserFactory

pytestmark = pytest.mark.django_db

VISITORS = ["anonymous", "buyer", "member", "manager", "other_manager", "regulator"]
LOGIN = "login"

APP_NAMESPACES = {"sellers", "catalog", "orders", "policy"}
PROJECT_NAMES = {"home", "healthz", "account_home"}


def _expect(**codes):
    """Expected answer per visitor; unnamed visitors get ``default``."""
    default = codes.pop("default", None)
    return {visitor: codes.get(visitor, default) for visitor in VISITORS}


PUBLIC = _expect(default=200)
SIGNED_IN = _expect(anonymous=LOGIN, default=200)
MEMBERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=200, manager=200, other_manager=200
)
MANAGERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=403, manager=200, other_manager=200
)
REGULATORS = _expect(anonymous=LOGIN, default=403, regulator=200)

# name -> (method, kwargs builder, expected per visitor)
MATRIX = {
    "home": ("get", None, PUBLIC),
    "healthz": ("get", None, PUBLIC),
    "account_home": ("get", None, SIGNED_IN),
    "catalog:home": ("get", None, PUBLIC),
    "orders:mine": ("get", None, SIGNED_IN),
    "policy:home": ("get", None, REGULATORS),
    "sellers:directory": ("get", None, PUBLIC),
    "sellers:storefront": ("get", lambda w: {"slug": w["coop_a"].slug}, PUBLIC),
    "sellers:onboard": ("get", None, SIGNED_IN),
    "sellers:workspace": ("get", None, MEMBERS),
    "sellers:profile": ("get", None, MANAGERS),
    "sellers:members": ("get", None, MEMBERS),
    # The workspace's document is the visitor's own cooperative's: B has none.
    "sellers:licence": ("get", None, {**MEMBERS, "other_manager": 404}),
    "sellers:switch": (
        "post",
        None,
        {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404},
    ),
    "sellers:resubmit": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:invite": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:member_role": (
        "post",
        lambda w: {"pk": w["member_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:member_remove": (
        "post",
        lambda w: {"pk": w["manager_a_membership"].pk},
        # A member may only remove itself; B's manager cannot see A's members.
        {**MEMBERS, "member": 403, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation_revoke": (
        "post",
        lambda w: {"pk": w["invitation_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation": ("get", lambda w: {"token": w["invitation_a"].token}, SIGNED_IN),
    "sellers:verification_queue": ("get", None, REGULATORS),
    "sellers:verification_detail": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "sellers:verification_licence": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
}


def _app_url_names() -> set[str]:
    names = set()

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}{entry.name}")

    walk(get_resolver())
    return {n for n in names if n.split(":")[0] in APP_NAMESPACES or n in PROJECT_NAMES}


def test_every_app_url_is_in_the_matrix():
    assert _app_url_names() - set(MATRIX) == set()


@pytest.fixture
def world():
    coop_a = CooperativeFactory(country="CN", province=None, region="Guangdong")
    coop_a.business_licence.save(
        "licence.pdf", SimpleUploadedFile("l.pdf", b"%PDF-1.4 test"), save=True
    )
    manager_a = MembershipFactory(cooperative=coop_a, role=Membership.Role.MANAGER)
    member_a = MembershipFactory(cooperative=coop_a, role=Membership.Role.MEMBER)
    coop_b = CooperativeFactory()
    manager_b = MembershipFactory(cooperative=coop_b, role=Membership.Role.MANAGER)
    invitation = Invitation.objects.create(
        cooperative=coop_a, email="invitee@example.test", invited_by=manager_a.user
    )
    return {
        "coop_a": coop_a,
        "manager_a_membership": manager_a,
        "member_a": member_a,
        "invitation_a": invitation,
        "users": {
            "anonymous": None,
            "buyer": UserFactory(),
            "member": member_a.user,
            "manager": manager_a.user,
            "other_manager": manager_b.user,
            "regulator": RegulatorFactory(),
        },
    }


POST_BODIES = {
    "sellers:switch": lambda w: {"cooperative": w["coop_a"].pk},
    "sellers:member_role": lambda w: {"role": "manager"},
    "sellers:invite": lambda w: {"email": "someone@example.test", "role": "member"},
}

CASES = [(name, visitor) for name in MATRIX for visitor in VISITORS]


@pytest.mark.parametrize(("name", "visitor"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_role_url_matrix(client, world, name, visitor):
    method, kwargs, expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    body = POST_BODIES.get(name, lambda w: {})(world)
    response = getattr(client, method)(url, body)
    want = expected[visitor]
    if want == LOGIN:
        assert response.status_code == 302, f"{visitor} {method} {url}"
        assert response["Location"].startswith(reverse("account_login")), url
    else:
        assert response.status_code == want, f"{visitor} {method} {url}"

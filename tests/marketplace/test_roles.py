"""Each role reaches its own pages; regulators must enrol in two-factor first."""

import pytest
from django.urls import reverse

from marketplace.roles import Role, user_roles
from sellers.models import Membership
from tests.factories import MembershipFactory, RegulatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_are_computed_from_memberships_groups_and_flags():
    buyer = UserFactory()
    assert user_roles(buyer) == {Role.BUYER}
    manager = MembershipFactory(role=Membership.Role.MANAGER).user
    assert user_roles(manager) == {Role.BUYER, Role.MEMBER, Role.MANAGER}
    assert Role.REGULATOR in user_roles(RegulatorFactory())
    assert Role.ADMIN in user_roles(UserFactory(is_superuser=True, is_staff=True))


def test_regulator_without_two_factor_is_sent_to_enrol(client):
    client.force_login(RegulatorFactory(mfa=False))
    response = client.get(reverse("policy:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_administrator_without_two_factor_is_sent_to_enrol_before_the_audit_trail(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("policy:audit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_enrolled_regulator_opens_regulator_pages(client):
    client.force_login(RegulatorFactory())
    response = client.get(reverse("policy:home"))
    assert response.status_code == 200


def test_buyer_is_refused_regulator_and_seller_pages(client):
    client.force_login(UserFactory())
    assert client.get(reverse("policy:home")).status_code == 403
    assert client.get(reverse("sellers:workspace")).status_code == 403


def test_member_reaches_the_workspace_and_sees_its_cooperative(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.get(reverse("sellers:workspace"))
    assert response.status_code == 200
    assert membership.cooperative.legal_name in response.content.decode()


def test_navigation_shows_each_role_its_entry_points(client):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert reverse("orders:mine") in page
    assert reverse("policy:home") not in page
    assert reverse("sellers:workspace") not in page

    client.force_login(RegulatorFactory())
    assert reverse("policy:home") in client.get(reverse("home")).content.decode()
